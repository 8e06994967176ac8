/**
 * zod compiles object schemas with `new Function` unless told not to; the app's CSP (`script-src 'self'`, no
 * 'unsafe-eval') blocks that and reports a violation (tests/browser/csp.test.ts). Jitless parsing is fast enough for
 * what the client validates (the URL's view state, tool inputs). Imported first by main.tsx, because zod reads the
 * setting when each schema is created, i.e. when models/*.ts are first evaluated.
 */
import { config } from 'zod';

config({ jitless: true });
