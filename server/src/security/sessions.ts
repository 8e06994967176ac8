/**
 * Engine.IO admission, before a session costs memory: the Origin check (WebSocket and polling alike) and caps on
 * sessions open at once per client address and in total. A refused handshake gets a status and a message:
 * 403 (origin), 429 (too many from this address), 503 (server full).
 */
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Server } from 'socket.io';
import type { LimitOptions } from '../config.ts';
import { checkOrigin } from './origins.ts';

export interface SessionCounts {
  total(): number;
  of(address: string): number;
}

/** The client address Engine.IO itself records for a session (no proxy headers are trusted). */
const addressOf = (req: IncomingMessage): string => req.socket.remoteAddress ?? 'unknown';

/** Answer a refused engine request: a JSON response for polling, a raw HTTP response on the socket for an upgrade. */
function refuse(res: ServerResponse, status: number, message: string, retryAfterS?: number): void {
  const body = JSON.stringify({ error: message });
  const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' };
  if (retryAfterS !== undefined) headers['retry-after'] = retryAfterS;
  if (res instanceof ServerResponse) {
    res.writeHead(status, headers);
    res.end(body);
    return;
  }
  // WebSocket upgrade: Engine.IO hands middlewares a stand-in response that has the raw socket.
  const socket = (res as { socket?: import('node:net').Socket }).socket;
  if (!socket || !socket.writable) return;
  const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(`HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : status === 429 ? 'Too Many Requests' : 'Service Unavailable'}\r\n${head}\r\n${body}`);
}

export function registerEngineAdmission(io: Server, limits: LimitOptions, onRefused?: (reason: 'origin' | 'address' | 'total') => void): SessionCounts {
  const perAddress = new Map<string, number>();
  let total = 0;

  io.engine.on('connection', (socket: { remoteAddress: string; once(event: 'close', fn: () => void): void }) => {
    const address = socket.remoteAddress ?? 'unknown';
    total++;
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    socket.once('close', () => {
      total--;
      const n = (perAddress.get(address) ?? 1) - 1;
      if (n <= 0) perAddress.delete(address);
      else perAddress.set(address, n);
    });
  });

  io.engine.use((req: IncomingMessage & { _query?: Record<string, string> }, res: ServerResponse, next: (err?: Error) => void) => {
    const origin = checkOrigin(req, limits.allowedOrigins);
    if (!origin.ok) {
      onRefused?.('origin');
      return refuse(res, 403, origin.error);
    }
    res.setHeader('x-content-type-options', 'nosniff');
    if (origin.crossOrigin) {
      res.setHeader('access-control-allow-origin', origin.crossOrigin);
      res.setHeader('vary', 'Origin');
    }
    const isHandshake = !req._query?.sid;
    if (isHandshake) {
      const address = addressOf(req);
      if ((perAddress.get(address) ?? 0) >= limits.maxSessionsPerAddress) {
        onRefused?.('address');
        return refuse(res, 429, `too many sessions from ${address}: at most ${limits.maxSessionsPerAddress} at once (MAX_SESSIONS_PER_ADDRESS); close one or retry later`, 30);
      }
      if (total >= limits.maxSessions) {
        onRefused?.('total');
        return refuse(res, 503, `the server is full: ${limits.maxSessions} sessions are open (MAX_SESSIONS); retry later`, 30);
      }
    }
    next();
  });

  return { total: () => total, of: (address) => perAddress.get(address) ?? 0 };
}
