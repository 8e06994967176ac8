import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BriefingState, RemoteJoined } from '@models/briefing.ts';
import { call, latest, openBriefing, type BSocket } from './briefing.helpers.ts';
import type { StoryListResponse, StoryResponse } from '@models/story.ts';
import { createApp, type App } from '../../server/src/app.ts';
import { testOptions, type AppOptions } from '../../server/src/config.ts';
import { PIN_FAILURES_PER_WINDOW } from '../../server/src/briefing/briefing.namespace.ts';

const PIN = '4711-west';

async function start(overrides: Partial<AppOptions>): Promise<{ app: App; url: string; sockets: BSocket[] }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-briefing-'));
  const app = await createApp(testOptions({ dataDir, ...overrides }));
  return { app, url: await app.listen(), sockets: [] };
}

/** A connected socket on the briefing namespace that records every state it receives. */
const open = (server: { url: string; sockets: BSocket[] }) => openBriefing(server.url, server.sockets);

describe('presenter groups with PRESENTER_PIN set', () => {
  let server: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    server = await start({ presenterPin: PIN, presenterTimeoutS: 0.4 });
  });
  afterAll(async () => {
    for (const s of server.sockets) s.close();
    await server.app.close();
  });

  it('serves the story list and a story with the facts it quotes', async () => {
    const list = (await (await fetch(`${server.url}/api/v1/stories`)).json()) as StoryListResponse;
    expect(list.stories.map((s) => s.id)).toContain('west-bund-ai');
    const res = (await (await fetch(`${server.url}/api/v1/stories/west-bund-ai`)).json()) as StoryResponse;
    expect(res.story.steps).toHaveLength(list.stories.find((s) => s.id === 'west-bund-ai')!.steps);
    const quoted = new Set(res.story.steps.flatMap((s) => s.figures.flatMap((f) => (f.kind === 'fact' ? [f.id] : []))));
    expect(res.facts.map((f) => f.id).sort()).toEqual([...quoted].sort());
    const missing = await fetch(`${server.url}/api/v1/stories/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toContain('nope');
  });

  it('a remote with the PIN drives two screens of its group; both get the same step from the same emit', async () => {
    const [a, b] = [await open(server), await open(server)];
    expect(await call<BriefingState>(a, 'screen:join', { group: 'hall1' })).toMatchObject({ ok: true, data: { group: 'HALL1', mode: 'attract' } });
    expect((await call<BriefingState>(b, 'screen:join', { group: 'HALL1' })).ok).toBe(true);
    const remote = await open(server);
    const joined = await call<RemoteJoined>(remote, 'remote:join', { group: 'hall1', pin: PIN, name: 'Ms Li' });
    expect(joined).toMatchObject({ ok: true, data: { state: { controllerId: expect.any(String), presenters: [{ name: 'Ms Li' }] } } });

    const next = await call<BriefingState>(remote, 'briefing:command', { kind: 'next' });
    expect(next).toMatchObject({ ok: true, data: { mode: 'story', storyId: 'west-bund-ai', step: 0 } });
    const again = await call<BriefingState>(remote, 'briefing:command', { kind: 'next' });
    expect(again.ok && again.data.step).toBe(1);
    const seq = again.ok ? again.data.seq : -1;
    // Both screens receive that very state (same seq), i.e. from the one room emit, not on a later tick.
    await expect.poll(() => [latest(a)?.seq, latest(b)?.seq]).toEqual([seq, seq]);
    expect(latest(a)).toEqual(latest(b));
    expect(latest(a)).toMatchObject({ step: 1, storyId: 'west-bund-ai' });

    await call(remote, 'briefing:command', { kind: 'lang', lang: 'en' });
    await call(remote, 'briefing:command', { kind: 'metric', metric: 'computeLoad' });
    await call(remote, 'briefing:command', { kind: 'blank', blank: true });
    await call(remote, 'briefing:command', { kind: 'patch', patch: { selection: { kind: 'cluster', id: 'media-port' } } });
    await expect.poll(() => latest(b)).toMatchObject({ lang: 'en', metric: 'computeLoad', blank: true, patch: { selection: { kind: 'cluster', id: 'media-port' } } });
    // a new step clears the presenter's metric, patch and blank; the language stays
    await call(remote, 'briefing:command', { kind: 'goto', step: 4 });
    await expect.poll(() => latest(a)).toMatchObject({ step: 4, lang: 'en', metric: null, patch: null, blank: false });

    // invalid commands are refused with what was wrong, and change nothing
    const bad = await call<BriefingState>(remote, 'briefing:command', { kind: 'goto', step: 99 });
    expect(bad).toMatchObject({ ok: false, code: 'invalid', error: expect.stringContaining('step must be 0..5') });
    const bad2 = await call<BriefingState>(remote, 'briefing:command', { kind: 'metric', metric: 'vibes' });
    expect(bad2).toMatchObject({ ok: false, code: 'invalid', error: expect.stringContaining('metric') });

    // a screen that joins late gets the current state
    const late = await open(server);
    const lateJoin = await call<BriefingState>(late, 'screen:join', { group: 'HALL1' });
    expect(lateJoin).toMatchObject({ ok: true, data: { step: 4, lang: 'en', mode: 'story' } });

    const attract = await call<BriefingState>(remote, 'briefing:command', { kind: 'attract' });
    expect(attract).toMatchObject({ ok: true, data: { mode: 'attract' } });
    await expect.poll(() => latest(late)?.mode).toBe('attract');
  });

  it('a screen socket, a stranger and a wrong PIN cannot drive; another group is not affected', async () => {
    const screen = await open(server);
    await call(screen, 'screen:join', { group: 'ROOM2' });
    const other = await open(server);
    await call(other, 'screen:join', { group: 'ROOM3' });
    const remote = await open(server);
    expect((await call(remote, 'remote:join', { group: 'ROOM2', pin: PIN })).ok).toBe(true);
    await call(remote, 'briefing:command', { kind: 'next' });
    await expect.poll(() => latest(screen)?.mode).toBe('story');

    for (const cmd of [{ kind: 'next' }, { kind: 'attract' }]) {
      expect(await call(screen, 'briefing:command', cmd)).toMatchObject({ ok: false, code: 'not-controller', error: 'a screen cannot drive the group' });
    }
    expect(await call(screen, 'control:request', {})).toMatchObject({ ok: false });
    const stranger = await open(server);
    expect(await call(stranger, 'briefing:command', { kind: 'next' })).toMatchObject({ ok: false, code: 'not-joined' });
    const wrong = await open(server);
    expect(await call(wrong, 'remote:join', { group: 'ROOM2', pin: 'guess' })).toMatchObject({ ok: false, code: 'wrong-pin' });
    expect(await call(wrong, 'briefing:command', { kind: 'next' })).toMatchObject({ ok: false, code: 'not-joined' });
    // the group is where the remote left it; ROOM3 never heard of any of it
    expect(await call<BriefingState>(await open(server), 'screen:join', { group: 'ROOM2' })).toMatchObject({ ok: true, data: { step: 0, mode: 'story' } });
    expect(other.states).toEqual([]);
    expect(await call<BriefingState>(await open(server), 'screen:join', { group: 'ROOM3' })).toMatchObject({ ok: true, data: { mode: 'attract', seq: 0 } });
  });

  it('one presenter holds control at a time and can hand it over', async () => {
    const screen = await open(server);
    await call(screen, 'screen:join', { group: 'HAND' });
    const first = await open(server);
    const second = await open(server);
    const j1 = await call<RemoteJoined>(first, 'remote:join', { group: 'HAND', pin: PIN, name: 'First' });
    const j2 = await call<RemoteJoined>(second, 'remote:join', { group: 'HAND', pin: PIN, name: 'Second' });
    if (!j1.ok || !j2.ok) throw new Error('join failed');
    expect(j2.data.state.controllerId).toBe(j1.data.presenterId);
    expect(await call(second, 'briefing:command', { kind: 'next' })).toMatchObject({ ok: false, code: 'not-controller', error: expect.stringContaining('First') });
    expect(await call(second, 'control:request', {})).toMatchObject({ ok: false, code: 'busy', error: expect.stringContaining('First') });
    expect(await call(second, 'control:handover', { to: j1.data.presenterId })).toMatchObject({ ok: false, code: 'not-controller' });

    expect(await call(first, 'control:handover', { to: j2.data.presenterId })).toMatchObject({ ok: true, data: { controllerId: j2.data.presenterId } });
    await expect.poll(() => latest(screen)?.controllerId).toBe(j2.data.presenterId);
    expect(await call(first, 'briefing:command', { kind: 'next' })).toMatchObject({ ok: false, code: 'not-controller' });
    expect(await call(second, 'briefing:command', { kind: 'next' })).toMatchObject({ ok: true, data: { step: 0, mode: 'story' } });
  });

  it('when the presenter leaves, the screens return to the attract loop after PRESENTER_TIMEOUT_S', async () => {
    const screen = await open(server);
    await call(screen, 'screen:join', { group: 'BYE' });
    const remote = await open(server);
    await call(remote, 'remote:join', { group: 'BYE', pin: PIN });
    await call(remote, 'briefing:command', { kind: 'goto', step: 2 });
    await expect.poll(() => latest(screen)?.step).toBe(2);
    remote.close();
    // first the screens learn that nobody holds control and when they will go back …
    await expect.poll(() => latest(screen)).toMatchObject({ controllerId: null, mode: 'story', attractAtMs: expect.any(Number) });
    // … then, after the timeout, they are back in the attract loop
    await expect.poll(() => latest(screen)?.mode, { timeout: 10_000 }).toBe('attract');
    expect(latest(screen)).toMatchObject({ attractAtMs: null, presenters: [] });
  });

  it('rejects malformed joins naming the field', async () => {
    const s = await open(server);
    expect(await call(s, 'screen:join', { group: 'a b' })).toMatchObject({ ok: false, code: 'invalid', issues: [{ path: 'group' }] });
    expect(await call(s, 'screen:join', { group: 'OK1', extra: 1 })).toMatchObject({ ok: false, code: 'invalid' });
  });
});

describe('presenter groups: rejoining and throttling (own server, so no other test spends its PIN failures)', () => {
  let server: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    // long enough that a presenter rejoins in time even on a loaded machine
    server = await start({ presenterPin: PIN, presenterTimeoutS: 5 });
  });
  afterAll(async () => {
    for (const s of server.sockets) s.close();
    await server.app.close();
  });

  it('a presenter who comes back in time keeps the story on the wall', async () => {
    const group = async (code: string) => {
      const screen = await open(server);
      await call(screen, 'screen:join', { group: code });
      const remote = await open(server);
      await call(remote, 'remote:join', { group: code, pin: PIN });
      await call(remote, 'briefing:command', { kind: 'goto', step: 3 });
      await expect.poll(() => latest(screen)?.step).toBe(3);
      return { screen, remote };
    };
    const back = await group('BACK');
    const witness = await group('WIT');
    back.remote.close();
    await expect.poll(() => latest(back.screen)?.controllerId).toBeNull();
    const again = await open(server);
    expect(await call(again, 'remote:join', { group: 'BACK', pin: PIN })).toMatchObject({ ok: true, data: { state: { step: 3, mode: 'story', attractAtMs: null } } });
    const seq = latest(back.screen)!.seq;
    // The witness group's presenter leaves after BACK's did: once its screens are back in the attract loop, BACK's
    // timeout (started earlier, same length) has passed too.
    witness.remote.close();
    await expect.poll(() => latest(witness.screen)?.mode, { timeout: 20_000 }).toBe('attract');
    expect(latest(back.screen)).toMatchObject({ seq, mode: 'story', step: 3 });
  });

  it('throttles failed PINs per address', async () => {
    const s = await open(server);
    for (let i = 0; i < PIN_FAILURES_PER_WINDOW; i++) expect(await call(s, 'remote:join', { group: 'THR', pin: `no${i}` })).toMatchObject({ code: 'wrong-pin' });
    // even the right PIN is refused now, with when to retry
    expect(await call(s, 'remote:join', { group: 'THR', pin: PIN })).toMatchObject({ ok: false, code: 'throttled', retryAfterS: expect.any(Number) });
  });
});

describe('presenter groups without PRESENTER_PIN', () => {
  it('a remote is told that control is off and how to turn it on; screens still follow', async () => {
    const server = await start({ presenterPin: null });
    try {
      const screen = await open(server);
      expect((await call(screen, 'screen:join', { group: 'LOBBY' })).ok).toBe(true);
      const remote = await open(server);
      const res = await call(remote, 'remote:join', { group: 'LOBBY', pin: 'anything' });
      expect(res).toMatchObject({ ok: false, code: 'control-off', error: expect.stringContaining('PRESENTER_PIN') });
      expect(await call(remote, 'briefing:command', { kind: 'next' })).toMatchObject({ ok: false, code: 'not-joined' });
      expect(screen.states).toEqual([]);
    } finally {
      for (const s of server.sockets) s.close();
      await server.app.close();
    }
  });
});
