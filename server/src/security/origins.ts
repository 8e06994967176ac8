/**
 * Who may talk to the server from a browser: pages served by the server itself (the Origin's host is the Host the
 * request came to) and the origins in ALLOWED_ORIGINS. Requests without an Origin header (curl, devices, a page's own
 * GETs) are not browser cross-origin requests and stay allowed.
 */
import type { IncomingMessage } from 'node:http';

export type OriginVerdict = { ok: true; crossOrigin: string | null } | { ok: false; error: string };

export function checkOrigin(req: Pick<IncomingMessage, 'headers'>, allowedOrigins: readonly string[]): OriginVerdict {
  const origin = req.headers.origin;
  if (origin === undefined) return { ok: true, crossOrigin: null };
  let host: string | null = null;
  try {
    host = new URL(origin).host;
  } catch {
    // "null" (sandboxed frames, file://) and anything malformed: refused below
  }
  if (host !== null && host === req.headers.host) return { ok: true, crossOrigin: null };
  if (allowedOrigins.includes(origin)) return { ok: true, crossOrigin: origin };
  return { ok: false, error: `origin ${origin} is not allowed: only pages served by this server and ALLOWED_ORIGINS may use it` };
}
