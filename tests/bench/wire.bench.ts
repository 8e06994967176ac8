/**
 * Measure 3: bytes on the wire per building per tick.
 *
 * A real server (`createApp(testOptions({ dataDir: tmp, tickMs: 200 }))`, with a synthetic data directory for the
 * 10k/50k cases) and a real socket.io-client over WebSocket. We count what actually arrives: each `metrics:frame`
 * event is a Socket.IO text packet (`451-["metrics:frame",{"_placeholder":true,"num":0}]`) plus one binary message,
 * each inside a WebSocket frame header (2/4/10 bytes; server frames are unmasked and, with Socket.IO's default,
 * uncompressed); and, separately, every message in the same window (all live events: pools, companies, district
 * events, pings), so the framing overhead is included.
 *
 * Baseline: the same frame (same buildings, same quantised values, sources and freshness) as the JSON a naive server
 * would emit, `[{id, occupancy, computeLoad, source, stale}]`, values rounded to the 3 decimals the 1/250 quantisation
 * needs, sent as a Socket.IO text event in one WebSocket frame. Its size with permessage-deflate (raw deflate of the
 * text) is given as a note, since compression is the obvious fix a naive server would reach for.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@models/events.ts';
import { decodeFrame, frameBytes, NOT_APPLICABLE } from '@models/frame.codec.ts';
import { createApp } from '../../server/src/app.ts';
import { testOptions } from '../../server/src/config.ts';
import { log, row, stats, type Row } from './stats.ts';

export interface WireCase {
  label: string;
  /** Data directory for createApp (the repo's data/ or a synthetic one written by writeDataset). */
  datasetDir: string;
}

const TICK_MS = 200;
const SKIP = 2;
const FRAMES = 12;

/** Bytes of the WebSocket frame header for a server → client (unmasked) payload. */
export const wsHeaderBytes = (payload: number): number => (payload < 126 ? 2 : payload < 65_536 ? 4 : 10);

interface WsLike {
  on(event: 'message', fn: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): void;
}

function byteLength(data: Buffer | ArrayBuffer | Buffer[]): number {
  if (Array.isArray(data)) return data.reduce((s, b) => s + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

/** The naive JSON frame carrying the same information as a binary frame. */
export function jsonFrameOf(frame: Uint8Array, ids: readonly string[]): string {
  const f = decodeFrame(frame);
  const q = (v: number) => (Number.isNaN(v) || v === NOT_APPLICABLE ? null : Math.round(v * 1000) / 1000);
  return JSON.stringify(
    ids.map((id, i) => ({
      id,
      occupancy: q(f.occupancy[i]!),
      computeLoad: q(f.computeLoad[i]!),
      source: f.occupancyIngest[i] || f.computeIngest[i] ? 'ingest' : 'simulated',
      stale: Number.isNaN(f.occupancy[i]!),
    })),
  );
}

export async function wireBench(cases: readonly WireCase[]): Promise<{ rows: Row[]; raw: unknown }> {
  const rows: Row[] = [];
  const raw: Record<string, unknown> = {};
  for (const c of cases) {
    log(`wire: ${c.label}`);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-bench-wire-'));
    const app = await createApp(testOptions({ dataDir, datasetDir: c.datasetDir, tickMs: TICK_MS }));
    let client: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
    try {
      const url = await app.listen();
      const n = app.district.buildings.length;
      client = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true });
      const sock = client;

      const m = await new Promise<{ frameBytes: number[]; allBytes: number; poolUpdates: number; frames: number; lastFrame: Uint8Array }>((resolve, reject) => {
        const timeout = setTimeout(() => reject(new Error(`wire ${c.label}: no frames within 30 s`)), 30_000);
        // Window: from the placeholder packet of frame SKIP + 1 up to (not including) that of frame SKIP + FRAMES + 1,
        // i.e. exactly FRAMES ticks of everything the server sent.
        let frameNo = 0;
        let allBytes = 0;
        let poolUpdates = 0;
        let pendingText = 0; // bytes of a frame's placeholder packet, waiting for its binary attachment
        const perFrame: number[] = [];
        let lastFrame: Uint8Array = new Uint8Array(0);
        sock.on('metrics:frame', (frame) => {
          lastFrame = frame instanceof Uint8Array ? frame : new Uint8Array(frame);
        });
        sock.on('connect', () => {
          const ws = (sock.io.engine as unknown as { transport: { ws: WsLike } }).transport.ws;
          ws.on('message', (data, isBinary) => {
            const len = byteLength(data);
            const onWire = len + wsHeaderBytes(len);
            if (!isBinary) {
              const text = Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.from(data as ArrayBuffer).toString();
              const isFrame = text.startsWith('451-["metrics:frame"');
              if (isFrame && ++frameNo === SKIP + FRAMES + 1) {
                clearTimeout(timeout);
                // the last counted frame's event has been handled: resolve after this message's own frame decodes
                setImmediate(() => resolve({ frameBytes: perFrame, allBytes, poolUpdates, frames: FRAMES, lastFrame }));
              }
              pendingText = isFrame ? onWire : 0;
              if (text.startsWith('42["pools:update"') && frameNo > SKIP && frameNo <= SKIP + FRAMES) poolUpdates++;
            } else if (pendingText > 0 && frameNo > SKIP && frameNo <= SKIP + FRAMES) {
              perFrame.push(pendingText + onWire);
              pendingText = 0;
            }
            if (frameNo > SKIP && frameNo <= SKIP + FRAMES) allBytes += onWire;
          });
        });
        sock.on('connect_error', (err) => reject(err));
      });

      const ids = app.district.buildings.map((b) => b.id);
      const json = jsonFrameOf(m.lastFrame, ids);
      const jsonBytes = Buffer.byteLength(json);
      const jsonPacket = Buffer.byteLength(`42["metrics:frame",${json}]`);
      const jsonOnWire = jsonPacket + wsHeaderBytes(jsonPacket);
      const jsonDeflated = deflateRawSync(`42["metrics:frame",${json}]`).length;
      const perFrame = stats(m.frameBytes.slice(0, m.frames));
      const allPerTick = m.allBytes / m.frames;
      raw[c.label] = { buildings: n, frameBytes: frameBytes(n), measuredFramePackets: m.frameBytes, allBytes: m.allBytes, poolUpdates: m.poolUpdates, ticks: m.frames, jsonBytes, jsonOnWire, jsonDeflated };

      rows.push(
        row({
          section: 3,
          measure: 'frame body bytes / building',
          scope: c.label,
          unit: 'B',
          ours: frameBytes(n) / n,
          naive: jsonBytes / n,
          baseline: 'JSON [{id, occupancy, computeLoad, source, stale}]',
          budget: '≤ 2.5',
          withinBudget: frameBytes(n) / n <= 2.5,
          note: `binary ${frameBytes(n).toLocaleString('en-US')} B vs JSON ${jsonBytes.toLocaleString('en-US')} B per frame`,
        }),
      );
      rows.push(
        row({
          section: 3,
          measure: 'received per building per tick (socket.io + ws framing)',
          scope: c.label,
          unit: 'B',
          ours: perFrame.median / n,
          naive: jsonOnWire / n,
          baseline: 'same JSON as a socket.io text event',
          budget: '≤ 2.5',
          withinBudget: perFrame.median / n <= 2.5,
          note: `measured ${perFrame.median.toLocaleString('en-US')} B per metrics:frame over ${m.frames} ticks (real socket.io-client, websocket); JSON with permessage-deflate would be ${(jsonDeflated / n).toFixed(2)} B/building; all live traffic ${(allPerTick / n).toFixed(2)} B/building/tick (${Math.round(allPerTick).toLocaleString('en-US')} B/tick; pools:update packets received: ${m.poolUpdates} in ${m.frames} ticks)`,
        }),
      );
    } finally {
      client?.close();
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return { rows, raw };
}
