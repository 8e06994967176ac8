/**
 * The engine's lease (server/src/scale/engine.lease.ts) against a real redis-server: one holder at a time, a standby
 * that takes over when the holder stops renewing (killed) or gives the lease up (clean shutdown), a holder that stops
 * when another holds the key, and a holder that keeps its lease through a Redis restarted empty. The whole failover
 * with real engine processes is in tests/integration/scaled.test.ts. Skipped, saying so, without /usr/bin/redis-server.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EngineLease, LEASE_KEY } from '../../server/src/scale/engine.lease.ts';
import { connectRedis, type RedisClient } from '../../server/src/scale/redis.transport.ts';
import { freePort, haveRedisServer, REDIS_SERVER, startRedisServer } from './child.helpers.ts';

if (!haveRedisServer()) console.warn(`SKIPPED tests/integration/engine.lease.test.ts: ${REDIS_SERVER} not found (apt-get install redis-server; .ci/run does)`);

const LEASE_MS = 800;

function recorder() {
  const lines: string[] = [];
  return { lines, log: { info: (msg: string) => void lines.push(`info ${msg}`), warn: (_: object, msg: string) => void lines.push(`warn ${msg}`), error: (msg: string) => void lines.push(`error ${msg}`) } };
}

describe.skipIf(!haveRedisServer())('the engine lease (real redis-server)', () => {
  let dir = '';
  let port = 0;
  let server: ChildProcess;
  let admin: RedisClient;
  const clients: RedisClient[] = [];
  const leases: EngineLease[] = [];

  async function lease(leaseMs = LEASE_MS) {
    const c = await connectRedis(`redis://127.0.0.1:${port}`, () => {});
    clients.push(c);
    const rec = recorder();
    const l = new EngineLease(c, leaseMs, rec.log);
    leases.push(l);
    return { lease: l, client: c, lines: rec.lines };
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-lease-'));
    port = await freePort();
    server = await startRedisServer(port, dir);
    admin = await connectRedis(`redis://127.0.0.1:${port}`, () => {});
  });

  afterEach(async () => {
    for (const l of leases.splice(0)) await l.release();
    await admin.del(LEASE_KEY);
  });

  afterAll(async () => {
    for (const c of [...clients, admin]) c?.destroy();
    server?.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives the lease to one engine; a standby takes it within the lease once the holder is cut off, and the holder stops', async () => {
    const a = await lease();
    expect(await a.lease.acquire()).toBe(true);
    expect(a.lease.holding).toBe(true);
    const b = await lease();
    let bGot = false;
    const bAcquired = b.lease.acquire().then((ok) => (bGot = ok));
    // A renews: B stays a standby for several leases
    const lost: string[] = [];
    a.lease.keep((why) => lost.push(why));
    await new Promise((r) => setTimeout(r, LEASE_MS * 3));
    expect(bGot).toBe(false);
    expect(b.lines.some((l) => l.includes('standing by'))).toBe(true);
    expect(lost).toEqual([]);

    // A cut off (killed, or its machine gone): its renewals stop reaching Redis and the key lapses
    const killedAt = Date.now();
    a.client.destroy();
    await bAcquired;
    expect(bGot).toBe(true);
    expect(await b.client.get(LEASE_KEY)).toBe(b.lease.id);
    // the lease, then one renewal period of fencing, plus the standby's polling period
    expect(Date.now() - killedAt).toBeLessThan(LEASE_MS + (LEASE_MS / 4) * 2 + 500);
    expect(b.lines.some((l) => l.includes('taking over'))).toBe(true);
    // and A, unable to renew for a whole lease, has stopped by itself
    await expect.poll(() => lost, { timeout: 5_000 }).toEqual([`the lease could not be renewed for ${LEASE_MS} ms`]);
  });

  it('hands over at once when the holder gives the lease up on a clean shutdown', async () => {
    const a = await lease(6_000);
    expect(await a.lease.acquire()).toBe(true);
    const b = await lease(6_000);
    const bAcquired = b.lease.acquire();
    await new Promise((r) => setTimeout(r, 300));
    const releasedAt = Date.now();
    await a.lease.release();
    expect(await bAcquired).toBe(true);
    // less than the 6 s lease: a standby's poll and one fencing period (1.5 s each at most)
    expect(Date.now() - releasedAt).toBeLessThan(4_500);
    expect(await b.client.get(LEASE_KEY)).toBe(b.lease.id);
  });

  it('tells a holder that finds another engine in the key to stop, once', async () => {
    const a = await lease();
    expect(await a.lease.acquire()).toBe(true);
    const lost: string[] = [];
    a.lease.keep((why) => lost.push(why));
    await a.client.set(LEASE_KEY, 'another-engine', { PX: 10_000 });
    await expect.poll(() => lost, { timeout: 5_000 }).toEqual(['another engine holds the lease']);
    expect(a.lease.holding).toBe(false);
    expect(a.lines.some((l) => l.startsWith('error engine: lost the lease'))).toBe(true);
    // and it does not give away what is not its own
    await a.lease.release();
    expect(await a.client.get(LEASE_KEY)).toBe('another-engine');
  });

  it('keeps the lease through a Redis restarted empty (the key is gone, nobody else has it)', async () => {
    const a = await lease();
    expect(await a.lease.acquire()).toBe(true);
    const lost: string[] = [];
    a.lease.keep((why) => lost.push(why));
    await a.client.flushAll();
    await expect.poll(() => a.client.get(LEASE_KEY), { timeout: 5_000 }).toBe(a.lease.id);
    await new Promise((r) => setTimeout(r, LEASE_MS * 2));
    expect(lost).toEqual([]);
    expect(a.lease.holding).toBe(true);
  });
});
