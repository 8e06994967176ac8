/**
 * Shutdown within a deadline whatever clients do, and slow requests timed out: tested against the real entry point in a
 * child process with raw TCP clients holding half-sent requests open.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { exitedWithin, holdOpen, startChild, type Child } from './child.helpers.ts';
import { startServer, TOKEN } from './ingest.helpers.ts';
import { testOptions } from '../../server/src/config.ts';

const dirs: string[] = [];
const children: Child[] = [];
afterAll(() => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const metricValue = (text: string, name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

describe('shutdown', () => {
  it('should exit 0 on SIGTERM within SHUTDOWN_TIMEOUT_S while clients hold half-sent requests, with the pending minute written', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-shutdown-'));
    dirs.push(dataDir);
    // The request timeouts are set long, so that only the shutdown deadline can end these clients.
    const child = await startChild({ DATA_DIR: dataDir, INGEST_TOKEN: TOKEN, TICK_MS: '200', SHUTDOWN_TIMEOUT_S: '2', HEADERS_TIMEOUT_S: '300', REQUEST_TIMEOUT_S: '300', LOG_LEVEL: 'info' });
    children.push(child);

    // An ingest request whose body never ends, and a request whose headers never end.
    const body = await holdOpen(
      child.port,
      `POST /api/v1/telemetry HTTP/1.1\r\nHost: 127.0.0.1:${child.port}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"readings":[`,
    );
    const headers = await holdOpen(child.port, `GET /api/v1/state HTTP/1.1\r\nHost: 127.0.0.1:${child.port}\r\nX-Slow: `);

    // Ticks have been sampled into the pending minute (the server is also still serving others).
    await expect.poll(async () => metricValue(await (await fetch(`${child.url}/metrics`)).text(), 'wbt_frames_broadcast_total'), { timeout: 20_000 }).toBeGreaterThan(1);
    expect((await fetch(`${child.url}/api/v1/district`)).status).toBe(200);
    expect(body.received()).toBe('');
    expect(headers.received()).toBe('');

    const sigtermAtMinute = Math.floor(Date.now() / 60_000);
    child.proc.kill('SIGTERM');
    // Far beyond the 2 s deadline; before the fix the process was still running when the clients let go.
    expect(await exitedWithin(child.proc, 25_000)).toEqual({ code: 0, signal: null });
    await body.closed;
    await headers.closed;

    expect(fs.existsSync(path.join(dataDir, 'history.sqlite-wal'))).toBe(false);
    const db = new Database(path.join(dataDir, 'history.sqlite'), { readonly: true });
    try {
      const sampled = db.prepare('SELECT count(*) AS n FROM building_minute WHERE readings = 0 AND minute >= ?').get(sigtermAtMinute - 1) as { n: number };
      expect(sampled.n).toBeGreaterThan(0);
    } finally {
      db.close();
    }

    // Probes are not logged at info (a probe a second would flood the log); other requests are.
    const lines = child.stdout().split('\n').filter((l) => l.includes('"url"'));
    expect(lines.some((l) => l.includes('"/api/v1/district"'))).toBe(true);
    expect(lines.filter((l) => l.includes('"/healthz"') || l.includes('"/metrics"'))).toEqual([]);
  }, 60_000);

  it('should answer 408 and close a connection whose headers or body do not arrive within the timeouts', async () => {
    const server = await startServer({ limits: { ...testOptions().limits, headersTimeoutMs: 1000, requestTimeoutMs: 1500 } });
    try {
      const port = Number(new URL(server.url).port);
      const headers = await holdOpen(port, `GET /api/v1/state HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `);
      const body = await holdOpen(port, `POST /api/v1/telemetry HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"readings":[`);
      // Node's defaults (60 s for headers, 300 s for a request) would outlast this test.
      await headers.closed;
      await body.closed;
      expect(headers.received()).toMatch(/^HTTP\/1\.1 408 /);
      expect(body.received()).toMatch(/^HTTP\/1\.1 408 /);
      // Everyone else is still served.
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  }, 30_000);
});
