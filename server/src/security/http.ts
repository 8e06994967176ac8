/**
 * HTTP hardening for every route: security headers (@fastify/helmet, with a CSP the built client passes), the Origin
 * check on REST, and the node server timeouts that stop slow clients holding requests open.
 */
import type { ServerOptions } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import type { ErrorResponse } from '@models/api.ts';
import type { LimitOptions } from '../config.ts';
import { checkOrigin } from './origins.ts';

/** Fastify options: headers must arrive within headersTimeoutMs, the whole request within requestTimeoutMs (else 408). */
export function serverTimeouts(limits: LimitOptions): { requestTimeout: number; http: ServerOptions } {
  return {
    requestTimeout: limits.requestTimeoutMs,
    // node checks both timeouts on this interval; the default (30 s) would let a slow client overstay by that much
    http: { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs) },
  };
}

/**
 * The listen queue of a gateway's port. Node's default (511) overflowed when every screen of a large installation
 * reconnected at once (bench §12, 5,000 screens: connects reset, the kernel's ListenOverflows climbing); Linux caps the
 * value at net.core.somaxconn (4096 by default since kernel 5.4), so this asks for that cap.
 */
export const LISTEN_BACKLOG = 4096;

/**
 * The CSP, source by source, for what the built client loads (checked in dist/client and by tests/browser/csp.test.ts,
 * which fails on any violation): its own module scripts, stylesheet and fonts; the data: favicon in index.html; the
 * live socket on the same origin (ws: and wss: are covered by 'self' in CSP 3). Three.js builds its textures in memory
 * (no blob: URLs, no workers). Nothing inline, no eval, no other origin. React sets styles through the CSSOM, which
 * style-src does not govern.
 */
export function contentSecurityPolicy(frameAncestors: readonly string[]): Record<string, string[] | null> {
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'"],
    'worker-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': [...frameAncestors],
    // The server is often reached over plain http on a LAN (lobby walls): upgrading would break it. TLS, and HSTS with
    // it, belong to the proxy that terminates TLS.
    'upgrade-insecure-requests': null,
  };
}

export async function registerHttpSecurity(http: FastifyInstance, limits: LimitOptions): Promise<void> {
  await http.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy(limits.frameAncestors) },
    // frame-ancestors decides framing; X-Frame-Options would contradict a kiosk allowlist in older browsers
    frameguard: false,
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'same-origin' },
    // the allowlisted origins may read the API; helmet's default same-origin would stop them
    crossOriginResourcePolicy: { policy: limits.allowedOrigins.length > 0 ? 'cross-origin' : 'same-origin' },
  });

  http.addHook('onRequest', async (req, reply) => {
    const verdict = checkOrigin(req.raw, limits.allowedOrigins);
    if (!verdict.ok) return reply.code(403).send({ error: verdict.error } satisfies ErrorResponse);
    if (verdict.crossOrigin) reply.header('access-control-allow-origin', verdict.crossOrigin).header('vary', 'Origin');
  });
}
