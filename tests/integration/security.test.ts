/**
 * Hostile clients at the door: Engine.IO sessions capped per address and in total, Origin checked on the socket
 * (polling and WebSocket) and on REST, security headers on every response.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { testOptions, type LimitOptions } from '../../server/src/config.ts';
import { startServer, type Running } from './ingest.helpers.ts';

const limits = (l: Partial<LimitOptions>): LimitOptions => ({ ...testOptions().limits, ...l });

/** A polling handshake as a browser's first request would make it, from a chosen local address. */
function handshake(url: string, opts: { from?: string; origin?: string; sid?: string } = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const u = new URL(`${url}/socket.io/?EIO=4&transport=polling${opts.sid ? `&sid=${opts.sid}` : ''}`);
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, localAddress: opts.from, headers: opts.origin ? { origin: opts.origin } : {}, agent: false },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += String(d)));
        res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
  });
}

/** Connects (resolves 'connected' once the snapshot arrives) or is refused (resolves the connect_error message). */
function tryConnect(url: string, opts: { origin?: string; transports?: string[] } = {}): Promise<{ socket: Socket; outcome: string }> {
  return new Promise((resolve) => {
    const socket = connect(url, { transports: opts.transports ?? ['websocket'], reconnection: false, extraHeaders: opts.origin ? { origin: opts.origin } : {} });
    socket.once('district:snapshot', () => resolve({ socket, outcome: 'connected' }));
    socket.once('connect_error', (err) => resolve({ socket, outcome: `refused: ${err.message}` }));
  });
}

describe('sessions', () => {
  let server: Running;
  beforeAll(async () => {
    server = await startServer({ limits: limits({ maxSessionsPerAddress: 3, maxSessions: 5 }) });
  });
  afterAll(() => server.close());

  it('should refuse handshakes past MAX_SESSIONS_PER_ADDRESS from one address with 429 and a message, while another address still connects', async () => {
    const statuses: number[] = [];
    const sids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await handshake(server.url, { from: '127.0.0.1' });
      statuses.push(res.status);
      sids.push((JSON.parse(res.body.slice(1)) as { sid: string }).sid);
    }
    expect(statuses).toEqual([200, 200, 200]);
    for (let i = 0; i < 20; i++) {
      const refused = await handshake(server.url, { from: '127.0.0.1' });
      expect(refused.status).toBe(429);
      expect(JSON.parse(refused.body).error).toMatch(/too many sessions from 127\.0\.0\.1: at most 3 at once \(MAX_SESSIONS_PER_ADDRESS\)/);
      expect(refused.headers['retry-after']).toBeDefined();
    }
    // The sessions already open keep working at the cap: a poll is not a new session.
    const poll = await handshake(server.url, { from: '127.0.0.1', sid: sids[0] });
    expect(poll.status).toBe(200);
    const other = await handshake(server.url, { from: '127.0.0.2' });
    expect(other.status).toBe(200);
    expect(other.body).toMatch(/^0\{"sid":/);
  });

  it('should refuse handshakes past MAX_SESSIONS in total with 503 and a message', async () => {
    // 3 sessions from 127.0.0.1 and 1 from 127.0.0.2 are open: one more fits.
    expect((await handshake(server.url, { from: '127.0.0.3' })).status).toBe(200);
    const full = await handshake(server.url, { from: '127.0.0.4' });
    expect(full.status).toBe(503);
    expect(JSON.parse(full.body).error).toMatch(/server is full: 5 sessions are open \(MAX_SESSIONS\)/);
  });
});

describe('sessions end', () => {
  it('should give an address room again when one of its sessions closes', async () => {
    const server = await startServer({ limits: limits({ maxSessionsPerAddress: 2 }) });
    try {
      const a = await tryConnect(server.url);
      const b = await tryConnect(server.url);
      const c = await tryConnect(server.url);
      expect([a.outcome, b.outcome]).toEqual(['connected', 'connected']);
      expect(c.outcome).toMatch(/^refused/);
      a.socket.close();
      await expect.poll(async () => (await tryConnect(server.url)).outcome, { timeout: 10_000 }).toBe('connected');
      for (const s of [a, b, c]) s.socket.close();
    } finally {
      await server.close();
    }
  });
});

describe('origins', () => {
  let server: Running;
  beforeAll(async () => {
    server = await startServer({ limits: limits({ allowedOrigins: ['https://wall.example'], frameAncestors: ["'self'", 'https://kiosk.example'] }) });
  });
  afterAll(() => server.close());

  it('should refuse a WebSocket from another website, and take one from its own pages and ALLOWED_ORIGINS', async () => {
    const evil = await tryConnect(server.url, { origin: 'https://evil.example' });
    expect(evil.outcome).toMatch(/^refused/);
    const own = await tryConnect(server.url, { origin: server.url });
    const allowed = await tryConnect(server.url, { origin: 'https://wall.example' });
    const device = await tryConnect(server.url);
    expect([own.outcome, allowed.outcome, device.outcome]).toEqual(['connected', 'connected', 'connected']);
    for (const s of [evil, own, allowed, device]) s.socket.close();
  });

  it('should refuse a polling handshake from another website with 403 naming the origin', async () => {
    const evil = await handshake(server.url, { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body).error).toBe('origin https://evil.example is not allowed: only pages served by this server and ALLOWED_ORIGINS may use it');
    expect((await handshake(server.url, { origin: 'null' })).status).toBe(403);
    expect((await handshake(server.url, { origin: server.url })).status).toBe(200);
    const allowed = await handshake(server.url, { origin: 'https://wall.example' });
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://wall.example');
  });

  it('should refuse REST requests from another website and serve its own pages, ALLOWED_ORIGINS and clients without Origin', async () => {
    const evil = await fetch(`${server.url}/api/v1/state`, { headers: { origin: 'https://evil.example' } });
    expect(evil.status).toBe(403);
    expect(((await evil.json()) as { error: string }).error).toMatch(/origin https:\/\/evil\.example is not allowed/);
    const post = await fetch(`${server.url}/api/v1/telemetry`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: '{}' });
    expect(post.status).toBe(403);
    expect((await fetch(`${server.url}/api/v1/state`, { headers: { origin: server.url } })).status).toBe(200);
    const allowed = await fetch(`${server.url}/api/v1/state`, { headers: { origin: 'https://wall.example' } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://wall.example');
    expect((await fetch(`${server.url}/api/v1/state`)).status).toBe(200);
  });

  it('should send a CSP with the configured frame-ancestors, nosniff and a Referrer-Policy', async () => {
    const res = await fetch(`${server.url}/healthz`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'self' https://kiosk.example");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    // frame-ancestors decides who may frame the app; an X-Frame-Options would contradict the kiosk allowlist
    expect(res.headers.get('x-frame-options')).toBeNull();
  });
});
