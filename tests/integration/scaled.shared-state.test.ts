/**
 * What gateways share beyond frames, with real processes: one district engine (ROLE=engine) and two gateways
 * (ROLE=gateway), each the real entry point server/src/main.ts, on a real redis-server started here on a free port.
 *   - `/api/v1/state` on a gateway: the engine's document relayed over Redis (server/src/scale/state.relay.ts);
 *   - the /briefing presenter groups kept in Redis (server/src/briefing/briefing.redis.ts).
 * Skipped, saying so, when /usr/bin/redis-server is not installed (.ci/run installs it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateResponse } from '@models/api.ts';
import type { District } from '@models/district.ts';
import type { BriefingState, RemoteJoined } from '@models/briefing.ts';
import { call, latest, openBriefing, type BSocket } from './briefing.helpers.ts';
import { exitedWithin, haveRedisServer, REDIS_SERVER, ChildGroup, type Child, type ScaledSetUp } from './child.helpers.ts';
import { occupancyReading, postTelemetry, TOKEN } from './ingest.helpers.ts';

const haveRedis = haveRedisServer();
if (!haveRedis) console.warn(`SKIPPED tests/integration/scaled.shared-state.test.ts: ${REDIS_SERVER} not found (apt-get install redis-server; .ci/run does)`);

const PIN = '4711-west';

describe.skipIf(!haveRedis)('shared state across gateways: /api/v1/state and /briefing groups (real processes, Redis)', () => {
  const group = new ChildGroup();
  const sockets: BSocket[] = [];
  let set: ScaledSetUp;
  let engine: Child;
  let gatewayA: Child;
  let gatewayB: Child;
  let district: District;
  let building = '';

  const start = (role: 'engine' | 'gateway') => group.role(set.env, role);

  const open = (url: string) => openBriefing(url, sockets);
  const engineHealth = async () => (await (await fetch(`${engine.url}/healthz`)).json()) as { seq: number; stateBuilds: number };

  beforeAll(async () => {
    set = await group.scaled('wbt-shared-', { INGEST_TOKEN: TOKEN, TICK_MS: '200', PRESENTER_PIN: PIN, PRESENTER_TIMEOUT_S: '600' });
    ({ engine, gatewayA, gatewayB, district } = set);
    building = district.buildings.find((b) => b.capacityPeople > 0)!.id;
  }, 120_000);

  afterAll(async () => {
    for (const s of sockets) s.close();
    await group.stopAll();
  });

  it('should serve on gateway B the exact value and source of a reading posted to gateway A, from one build per document', async () => {
    // 0.4213 is not a float32 and not a frame byte: only the engine's stored value can give it back exactly.
    const tsMs = Date.now() - 1000;
    const res = await postTelemetry(gatewayA.url, { readings: [occupancyReading(building, 0.4213, tsMs)] });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ stored: 1, applied: 1 });

    // No waiting: the 2xx means the engine applied it, and the next document asked for (from any gateway) has it.
    const got = await fetch(`${gatewayB.url}/api/v1/state`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-encoding')).toBe('gzip'); // the engine's stored copy, as it is
    const doc = (await got.json()) as StateResponse;
    expect(doc.buildings).toHaveLength(district.buildings.length);
    expect(doc.buildings.find((b) => b.id === building)!.metrics.occupancy).toEqual({ value: 0.4213, ts: new Date(tsMs).toISOString(), source: 'ingest', stale: false });
    expect(doc.datasetVersion).toBe(district.version);
    expect(doc.suppliers.length).toBeGreaterThan(0);
    expect(doc.companies.length).toBe(district.companies.length);

    // A client that does not take gzip gets the same JSON unzipped.
    const plain = await fetch(`${gatewayA.url}/api/v1/state`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(((await plain.json()) as StateResponse).buildings.find((b) => b.id === building)!.metrics.occupancy).toMatchObject({ value: 0.4213, source: 'ingest' });

    // Twenty requests at once on both gateways: the engine builds each distinct document (state revision and tick, named
    // in x-state-document) at most once, not once per request or per gateway.
    const before = (await engineHealth()).stateBuilds;
    const served = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const r = await fetch(`${(i % 2 ? gatewayA : gatewayB).url}/api/v1/state`);
        expect(r.status).toBe(200);
        return { name: r.headers.get('x-state-document')!, body: await r.text() };
      }),
    );
    const builds = (await engineHealth()).stateBuilds - before;
    const names = new Set(served.map((s) => s.name));
    expect(builds).toBeLessThanOrEqual(names.size);
    // one name, one document: every gateway serves the same bytes for it
    for (const name of names) expect(new Set(served.filter((s) => s.name === name).map((s) => s.body)).size).toBe(1);
  });

  it('should answer 503 "engine unreachable, retry" with Retry-After while the engine is stopped, and 200 once it is back', async () => {
    engine.proc.kill('SIGKILL');
    await exitedWithin(engine.proc, 10_000);
    const down = await fetch(`${gatewayB.url}/api/v1/state`);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await down.json()) as { error: string }).error).toMatch(/district engine is unreachable.*retry/);

    engine = await start('engine');
    await expect.poll(async () => (await fetch(`${gatewayB.url}/api/v1/state`)).status, { timeout: 30_000, interval: 250 }).toBe(200);
    // The restarted engine restored the reading from history: still the exact value, still `ingest`.
    const doc = (await (await fetch(`${gatewayA.url}/api/v1/state`)).json()) as StateResponse;
    expect(doc.buildings.find((b) => b.id === building)!.metrics.occupancy).toMatchObject({ value: 0.4213, source: 'ingest' });
  });

  it('should show a wall on gateway B the step a remote on gateway A set, follow its next step, and refuse a second remote on B control', async () => {
    const remoteA = await open(gatewayA.url);
    const joined = await call<RemoteJoined>(remoteA, 'remote:join', { group: 'SHARE', pin: PIN, name: 'Ms Li' });
    if (!joined.ok) throw new Error(`join failed: ${joined.error}`);
    expect(joined.data.state.controllerId).toBe(joined.data.presenterId);
    expect(await call(remoteA, 'briefing:command', { kind: 'goto', step: 3 })).toMatchObject({ ok: true, data: { mode: 'story', step: 3 } });

    // The wall joins afterwards, on the other gateway: it starts from the state the remote set there.
    const wall = await open(gatewayB.url);
    expect(await call(wall, 'screen:join', { group: 'share' })).toMatchObject({ ok: true, data: { group: 'SHARE', mode: 'story', step: 3, controllerId: joined.data.presenterId } });
    const next = await call<BriefingState>(remoteA, 'briefing:command', { kind: 'next' });
    if (!next.ok) throw new Error(next.error);
    expect(next.data.step).toBe(4);
    // The very state of that command (same seq), carried to gateway B by the room broadcast.
    await expect.poll(() => latest(wall)?.seq, { timeout: 10_000 }).toBe(next.data.seq);
    expect(latest(wall)).toEqual(next.data);

    // A second remote on gateway B: joined, but control stays with Ms Li on gateway A (the same refusals as in one process).
    const remoteB = await open(gatewayB.url);
    const second = await call<RemoteJoined>(remoteB, 'remote:join', { group: 'SHARE', pin: PIN, name: 'Mr Wang' });
    expect(second).toMatchObject({ ok: true, data: { state: { controllerId: joined.data.presenterId, step: 4 } } });
    expect(await call(remoteB, 'control:request', {})).toMatchObject({ ok: false, code: 'busy', error: expect.stringContaining('Ms Li') });
    expect(await call(remoteB, 'briefing:command', { kind: 'next' })).toMatchObject({ ok: false, code: 'not-controller', error: expect.stringContaining('Ms Li') });
    // Handing over across gateways works like in one process.
    if (!second.ok) throw new Error(second.error);
    expect(await call(remoteA, 'control:handover', { to: second.data.presenterId })).toMatchObject({ ok: true, data: { controllerId: second.data.presenterId } });
    expect(await call(remoteB, 'briefing:command', { kind: 'back' })).toMatchObject({ ok: true, data: { step: 3 } });
    expect(await call(remoteA, 'briefing:command', { kind: 'next' })).toMatchObject({ ok: false, code: 'not-controller' });
    await expect.poll(() => latest(wall)?.controllerId, { timeout: 10_000 }).toBe(second.data.presenterId);
  });

  it('should give control to exactly one of two remotes joining an empty group at once on two gateways', async () => {
    for (const group of ['RACE1', 'RACE2', 'RACE3', 'RACE4', 'RACE5']) {
      const [a, b] = await Promise.all([open(gatewayA.url), open(gatewayB.url)]);
      const [ja, jb] = await Promise.all([call<RemoteJoined>(a, 'remote:join', { group, pin: PIN, name: 'A' }), call<RemoteJoined>(b, 'remote:join', { group, pin: PIN, name: 'B' })]);
      if (!ja.ok || !jb.ok) throw new Error('join failed');
      const controllers = [ja, jb].filter((j) => j.data.state.controllerId === j.data.presenterId);
      expect(controllers).toHaveLength(1);
      const holder = controllers[0]!.data.presenterId;
      // both see the same holder, and only the holder may drive
      const [ra, rb] = await Promise.all([call(a, 'briefing:command', { kind: 'next' }), call(b, 'briefing:command', { kind: 'next' })]);
      expect([ra.ok, rb.ok].filter(Boolean)).toHaveLength(1);
      expect((holder === ja.data.presenterId ? ra : rb).ok).toBe(true);
    }
  });

  it('should refuse while Redis is down, saying so, and share state and groups again once it is back (empty)', async () => {
    const redisProc = group.procs.find((p) => p.spawnfile === REDIS_SERVER && p.exitCode === null && p.signalCode === null)!;
    redisProc.kill('SIGKILL');
    await exitedWithin(redisProc, 10_000);
    const down = await fetch(`${gatewayA.url}/api/v1/state`);
    expect(down.status).toBe(503);
    expect(((await down.json()) as { error: string }).error).toMatch(/unreachable.*retry/);
    const remote = await open(gatewayA.url);
    expect(await call(remote, 'remote:join', { group: 'REDIS', pin: PIN })).toMatchObject({ ok: false, code: 'unavailable', error: expect.stringContaining('try again') });
    // refused means not joined: it cannot drive
    expect(await call(remote, 'briefing:command', { kind: 'next' })).toMatchObject({ ok: false, code: 'not-joined' });

    await set.startRedis();
    await expect.poll(async () => (await fetch(`${gatewayB.url}/api/v1/state`)).status, { timeout: 30_000, interval: 250 }).toBe(200);
    await expect.poll(async () => (await call(remote, 'remote:join', { group: 'REDIS', pin: PIN })).ok, { timeout: 30_000, interval: 250 }).toBe(true);
    await call(remote, 'briefing:command', { kind: 'goto', step: 1 });
    const wall = await open(gatewayB.url);
    expect(await call(wall, 'screen:join', { group: 'REDIS' })).toMatchObject({ ok: true, data: { mode: 'story', step: 1 } });
  }, 90_000);

  it('should drop the presenter of a killed gateway, so a remote on the surviving gateway can take control', async () => {
    const wall = await open(gatewayB.url);
    await call(wall, 'screen:join', { group: 'GONE' });
    const remoteA = await open(gatewayA.url);
    const ja = await call<RemoteJoined>(remoteA, 'remote:join', { group: 'GONE', pin: PIN, name: 'On A' });
    if (!ja.ok) throw new Error(ja.error);
    await call(remoteA, 'briefing:command', { kind: 'goto', step: 2 });
    const remoteB = await open(gatewayB.url);
    expect(await call(remoteB, 'remote:join', { group: 'GONE', pin: PIN, name: 'On B' })).toMatchObject({ ok: true, data: { state: { controllerId: ja.data.presenterId } } });
    expect(await call(remoteB, 'control:request', {})).toMatchObject({ ok: false, code: 'busy' });

    gatewayA.proc.kill('SIGKILL');
    await exitedWithin(gatewayA.proc, 10_000);
    // Gateway A stops beating; B's sweep drops its members: nobody holds control, the wall keeps the story meanwhile.
    await expect.poll(() => latest(wall)?.controllerId, { timeout: 60_000, interval: 250 }).toBeNull();
    expect(latest(wall)).toMatchObject({ mode: 'story', step: 2, presenters: [{ name: 'On B' }], attractAtMs: expect.any(Number) });
    expect(await call(remoteB, 'control:request', {})).toMatchObject({ ok: true });
    expect(await call(remoteB, 'briefing:command', { kind: 'next' })).toMatchObject({ ok: true, data: { step: 3 } });
  }, 90_000);
});
