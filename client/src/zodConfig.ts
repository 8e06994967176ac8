/**
 * Zod without its JIT in the browser. Zod 4 probes `new Function('')` when the first object schema is built (and would
 * compile parsers with it); under the server's CSP (`script-src 'self'`, no 'unsafe-eval') that probe is blocked and
 * reported as a violation even though zod catches it. Imported first in main.tsx, so it runs before any schema in
 * models/ is constructed; the server keeps the JIT.
 */
import { z } from 'zod';

z.config({ jitless: true });
