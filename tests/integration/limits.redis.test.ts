/**
 * The ingest limits counted in Redis (server/src/scale/limits.redis.ts) against a real redis-server: the same answers as
 * the in-memory limits of one process for the same calls, one count for two gateways, a new window once the old one has
 * run out, and the gateway's own counts (said once in the log) while Redis is unreachable. The gateways' side over HTTP
 * and /ingest is tests/integration/scaled.test.ts. Skipped, saying so, without /usr/bin/redis-server.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testOptions } from '../../server/src/config.ts';
import { IngestLimits, type Admission } from '../../server/src/security/ingestLimits.ts';
import { LIMIT_KEY, sharedIngestLimits } from '../../server/src/scale/limits.redis.ts';
import { connectRedis, type RedisClient } from '../../server/src/scale/redis.transport.ts';
import { exitedWithin, freePort, haveRedisServer, REDIS_SERVER, startRedisServer } from './child.helpers.ts';

if (!haveRedisServer()) console.warn(`SKIPPED tests/integration/limits.redis.test.ts: ${REDIS_SERVER} not found (apt-get install redis-server; .ci/run does)`);

const TOKEN = 'the-right-token-0123456789';
const authProblem = (t: unknown) => (t === TOKEN ? null : { status: 401 as const, error: 'wrong or missing ingest token' });
const options = testOptions({ ingestRateLimit: 3, limits: { ...testOptions().limits, authFailuresPerMinute: 2 } });

function recorder() {
  const lines: string[] = [];
  return { lines, log: { warn: (_: object, msg: string) => void lines.push(`warn ${msg}`), info: (msg: string) => void lines.push(`info ${msg}`) } };
}

/** The same calls, in order, on any IngestLimits: what a client meets. */
async function script(limits: IngestLimits, tag: string): Promise<Admission[]> {
  const guesser = `10.0.0.1-${tag}`;
  const device = `10.0.0.2-${tag}`;
  const out: Admission[] = [];
  for (const token of ['guess-1', 'guess-2', TOKEN, 'guess-3']) out.push(await limits.admitRequest(guesser, token, authProblem));
  for (let i = 0; i < 4; i++) out.push(await limits.admitRequest(device, TOKEN, authProblem));
  out.push(await limits.admitToken(device, TOKEN, authProblem)); // a socket handshake: the lockout only, no budget
  out.push(await limits.takeBudget(device)); // a socket batch
  return out;
}

/** Retry-After depends on when the window began; everything else must match word for word. */
const comparable = (a: Admission) => (a.ok ? a : { ...a, retryAfterS: a.retryAfterS === undefined ? undefined : 'n', error: a.error.replace(/retry in \d+ s/, 'retry in n s').replace(/-(memory|redis)\b/g, '') });

describe.skipIf(!haveRedisServer())('ingest limits in Redis (real redis-server)', () => {
  let dir = '';
  let port = 0;
  let server: ChildProcess;
  const clients: RedisClient[] = [];

  async function client(): Promise<RedisClient> {
    const c = await connectRedis(`redis://127.0.0.1:${port}`, () => {});
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-limits-'));
    port = await freePort();
    server = await startRedisServer(port, dir);
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    server.kill('SIGKILL');
    await exitedWithin(server, 10_000);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('should answer as the in-memory limits of one process do, call for call', async () => {
    const inMemory = await script(new IngestLimits({ authFailuresPerMinute: 2, perMinute: 3, now: Date.now }), 'memory');
    const inRedis = await script(sharedIngestLimits(await client(), options, recorder().log), 'redis');
    expect(inRedis.map((a) => (a.ok ? 'ok' : a.reason))).toEqual(['unauthorized', 'unauthorized', 'auth_locked', 'auth_locked', 'ok', 'ok', 'ok', 'rate_limited', 'ok', 'rate_limited']);
    expect(inRedis.map(comparable)).toEqual(inMemory.map(comparable));
    for (const a of inRedis) {
      if (a.ok || a.status !== 429) continue;
      expect(a.retryAfterS).toBeGreaterThanOrEqual(1);
      expect(a.retryAfterS).toBeLessThanOrEqual(60);
    }
  });

  it('should keep one count for two gateways, each key living one window', async () => {
    const redis = await client();
    const [a, b] = [sharedIngestLimits(redis, options, recorder().log), sharedIngestLimits(await client(), options, recorder().log)];
    const addr = '10.0.0.3';
    expect((await a.takeBudget(addr)).ok).toBe(true);
    expect((await b.takeBudget(addr)).ok).toBe(true);
    expect((await a.takeBudget(addr)).ok).toBe(true);
    expect(await b.takeBudget(addr)).toMatchObject({ ok: false, status: 429, reason: 'rate_limited' });
    // The window is the key's lifetime: set when it was created, never extended by later counts, at most a minute.
    const ttl = await redis.pTTL(LIMIT_KEY('budget', addr));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    // A client seen as ::ffff:10.0.0.3 by a dual-stack gateway is the same client.
    expect(await a.takeBudget(`::ffff:${addr}`)).toMatchObject({ ok: false, reason: 'rate_limited' });
    // When the window runs out (here: made to, rather than waiting a minute), a new one starts with the full budget.
    await redis.pExpire(LIMIT_KEY('budget', addr), 1);
    await expect.poll(() => redis.exists(LIMIT_KEY('budget', addr))).toBe(0);
    expect((await b.takeBudget(addr)).ok).toBe(true);
    expect(await redis.get(LIMIT_KEY('budget', addr))).toBe('1');
  });

  it('should decide from the gateway’s own counts while Redis is unreachable, say so once, and count in Redis again when it is back', async () => {
    const { lines, log } = recorder();
    const limits = sharedIngestLimits(await client(), options, log);
    const guesser = '10.0.0.4';
    const device = '10.0.0.5';
    expect((await limits.admitRequest(guesser, 'guess-1', authProblem)).ok).toBe(false);
    expect((await limits.admitRequest(guesser, 'guess-2', authProblem)).ok).toBe(false);
    expect((await limits.takeBudget(device)).ok).toBe(true);
    expect(lines).toEqual([]);

    server.kill('SIGKILL');
    await exitedWithin(server, 10_000);
    // Not fail-open: the lockout earned while Redis was up holds, and the budget goes on from this gateway's count.
    expect(await limits.admitRequest(guesser, TOKEN, authProblem)).toMatchObject({ ok: false, status: 429, reason: 'auth_locked' });
    expect((await limits.takeBudget(device)).ok).toBe(true);
    expect((await limits.takeBudget(device)).ok).toBe(true);
    expect(await limits.takeBudget(device)).toMatchObject({ ok: false, status: 429, reason: 'rate_limited' });
    expect(lines).toEqual(['warn ingest limits: Redis unreachable; this gateway decides the ingest budget and the wrong-token lockout from its own counts of the last minute until it is back']);

    server = await startRedisServer(port, dir); // empty: new windows
    let n = 0;
    await expect
      .poll(
        async () => {
          await limits.takeBudget(`10.0.1.${n++}`); // the client reconnects by itself; each call tries Redis first
          return lines.length;
        },
        { timeout: 20_000, interval: 100 },
      )
      .toBe(2);
    expect(lines[1]).toBe('info ingest limits: counting in Redis again, shared by every gateway');
    expect((await limits.takeBudget('10.0.0.7')).ok).toBe(true);
    expect(await (await client()).get(LIMIT_KEY('budget', '10.0.0.7'))).toBe('1');
  });
});
