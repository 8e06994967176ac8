/**
 * The fan-out bench's light protocol-level client (tests/bench/lightClient.ts) beside a real socket.io-client on one
 * real server: it must see exactly the frames the server handed its socket, with the same seqs and times the real
 * client decodes, answer Engine.IO pings so the server keeps it, and leave cleanly. Otherwise the bench's large
 * counts could measure nothing and still print a lag.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { decodeHeader, FRAME_MAGIC } from '@models/frame.codec.ts';
import { LightClient } from '../bench/lightClient.ts';
import { liveClient, startServer, type LiveClient, type Running } from './ingest.helpers.ts';

interface Seen {
  /** seq → the frame's own time, as each side decoded it */
  frames: Map<number, number>;
}

describe.each(['preencoded', 'broadcast'] as const)('light fan-out client, gateway fan-out %s', (mode) => {
  let server: Running;
  const closers: Array<() => void> = [];
  beforeAll(async () => {
    server = await startServer({ tickMs: 100 });
    server.app.gateway.fanout = mode;
    // Pings every 300 ms instead of 25 s, answered within 2 s: a client that does not answer is dropped within this test.
    const engineOpts = (server.app.io.engine as unknown as { opts: { pingInterval: number; pingTimeout: number } }).opts;
    engineOpts.pingInterval = 300;
    engineOpts.pingTimeout = 2000;
  });
  afterAll(async () => {
    for (const c of closers) c();
    await server.close();
  });

  it('should receive the same frames (seq and time) as a real socket.io-client, exactly those the server sent it, and answer pings', async () => {
    const { app, url } = server;
    // What the server hands each socket's transport, by socket id (both sides connect below).
    const sent = recordSentFrames(app);

    const real: Seen = { frames: new Map() };
    const realClient: LiveClient = liveClient(url);
    closers.push(() => realClient.close());
    realClient.on('metrics:frame', (f) => {
      const h = decodeHeader(new Uint8Array(f as ArrayBuffer));
      real.frames.set(h.seq, h.tsMs);
    });
    await new Promise((resolve) => realClient.once('district:snapshot', resolve));

    const light: Seen = { frames: new Map() };
    let lightError: string | null | undefined;
    let lightLive = false;
    const lightClient = new LightClient(url, {
      onSnapshot: () => (lightLive = true),
      onFrame: (_c, seq, tsMs, arrivedMs) => {
        expect(arrivedMs).toBeGreaterThanOrEqual(tsMs - 5);
        light.frames.set(seq, tsMs);
      },
      onClose: (_c, error) => (lightError = error),
    });
    closers.push(() => lightClient.close());
    await expect.poll(() => lightLive, { timeout: 20_000 }).toBe(true);
    expect(app.gateway.screens()).toBe(2);

    // Both watch at least 30 ticks and at least 10 pings (300 ms apart: longer than the ping timeout) go by.
    await expect.poll(() => light.frames.size > 0 && real.frames.size > 0, { timeout: 20_000 }).toBe(true);
    const from = Math.max(...light.frames.keys(), ...real.frames.keys()) + 1;
    expect(Number.isFinite(from)).toBe(true);
    await expect.poll(() => Math.min(Math.max(0, ...light.frames.keys()), Math.max(0, ...real.frames.keys())), { timeout: 30_000 }).toBeGreaterThanOrEqual(from + 30);
    await expect.poll(() => lightClient.pongs, { timeout: 10_000 }).toBeGreaterThanOrEqual(10);
    const to = from + 30;
    const inWindow = (s: Seen) => [...s.frames.keys()].filter((q) => q >= from && q <= to).sort((a, b) => a - b);

    // Exactly what the server handed each socket (a volatile frame skipped for one of them is skipped on its side too).
    const lightSid = [...app.io.sockets.sockets.values()].find((s) => s.id !== realClient.id)!.id;
    const sentTo = (sid: string) => sent.get(sid)!.filter((q) => q >= from && q <= to);
    expect(inWindow(light)).toEqual(sentTo(lightSid));
    expect(inWindow(real)).toEqual(sentTo(realClient.id!));
    // The same frames, decoded to the same seq and time on both sides.
    const common = inWindow(light).filter((q) => real.frames.has(q));
    expect(common.length, JSON.stringify({ from, light: inWindow(light), real: inWindow(real) })).toBeGreaterThanOrEqual(25);
    for (const q of common) expect(light.frames.get(q)).toBe(real.frames.get(q));

    // The fan-out path under test is the one that wrote them (two screens, every tick of the window at least).
    if (mode === 'preencoded') expect(app.gateway.framesPreEncoded).toBeGreaterThanOrEqual(2 * common.length);
    else expect(app.gateway.framesPreEncoded).toBe(0);

    // Still connected after the pings: the server did not time it out.
    expect(lightError).toBeUndefined();
    expect(app.gateway.screens()).toBe(2);

    // Its goodbye ends its session on the server, and nothing is reported as an error.
    lightClient.close();
    await expect.poll(() => app.gateway.screens(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => lightError, { timeout: 10_000 }).toBeNull();
  }, 60_000);
});

/** The frame seqs the server hands each socket's transport, by socket id, for sockets connecting from now on. */
function recordSentFrames(app: Running['app']): Map<string, number[]> {
  const sent = new Map<string, number[]>();
  app.io.on('connection', (socket) => {
    const seqs: number[] = [];
    sent.set(socket.id, seqs);
    socket.conn.on('packetCreate', (packet: { data?: unknown }) => {
      const d = packet.data;
      if (d instanceof Uint8Array && d[0] === FRAME_MAGIC) seqs.push(decodeHeader(d).seq);
    });
  });
  return sent;
}

describe('pre-encoded fan-out beside the transports it does not cover', () => {
  let server: Running;
  beforeAll(async () => {
    server = await startServer({ tickMs: 100 });
  });
  afterAll(() => server.close());

  it('should give a long-polling screen, and one that upgrades from polling to WebSocket (as a browser does), exactly the frames the server sent it', async () => {
    const { app, url } = server;
    const sent = recordSentFrames(app);
    const open = (transports: string[]) => {
      const s = connect(url, { transports, reconnection: false, forceNew: true });
      const got: number[] = [];
      s.on('metrics:frame', (f: ArrayBuffer) => got.push(decodeHeader(new Uint8Array(f)).seq));
      return { s, got };
    };
    const polling = open(['polling']);
    const upgrading = open(['polling', 'websocket']);
    try {
      await expect.poll(() => upgrading.s.io.engine?.transport.name, { timeout: 20_000 }).toBe('websocket');
      await expect.poll(() => polling.got.length > 0 && upgrading.got.length > 0, { timeout: 20_000 }).toBe(true);
      const pre0 = app.gateway.framesPreEncoded;
      const from = Math.max(...polling.got, ...upgrading.got) + 1;
      const to = from + 15;
      await expect.poll(() => Math.min(Math.max(...polling.got), Math.max(...upgrading.got)), { timeout: 30_000 }).toBeGreaterThanOrEqual(to + 2);
      for (const c of [polling, upgrading]) {
        const window = (seqs: number[]) => seqs.filter((q) => q >= from && q <= to);
        expect(window(c.got).length).toBeGreaterThan(0);
        expect(window(c.got)).toEqual(window(sent.get(c.s.id!)!));
      }
      expect(polling.s.io.engine.transport.name).toBe('polling');
      // the upgraded screen took the pre-encoded path; the polling one cannot have
      expect(app.gateway.framesPreEncoded - pre0).toBeGreaterThanOrEqual(15);
      expect(app.gateway.framesPreEncoded - pre0).toBeLessThanOrEqual(sent.get(upgrading.s.id!)!.length);
    } finally {
      polling.s.close();
      upgrading.s.close();
    }
  }, 60_000);
});
