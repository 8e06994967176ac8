/**
 * zod in the browser runs without its JIT: the page's Content-Security-Policy forbids eval, and zod's probe for it
 * (`new Function("")`, caught) is still reported as a CSP violation. Imported first by main.tsx, before any schema
 * is built or parsed.
 */
import { z } from 'zod';

z.config({ jitless: true });
