/**
 * Measure 16: the binary frame next to the strongest JSON alternative, on real frames from a real server
 * (`createApp(testOptions({ datasetDir }))`, simulator on, one socket.io-client collecting FRAMES frames).
 *
 * Alternative: compact column-wise JSON carrying exactly what the binary frame carries — the header fields, the two
 * quantised columns as integer arrays in district order (0..250, 254 not applicable, 255 no fresh value) and the
 * indices of ingested values — plain, and deflated the way permessage-deflate would (zlib raw deflate, default
 * level, no context takeover). Per building per tick: bytes of the payload (framing excluded for all three, see
 * measure 3 for framing). CPU: encode from the server's float columns, and decode into the client's byte columns
 * (what store.ts applyFrame does with a binary frame: header check + copy), per frame, in Node.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { io as connect } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@models/events.ts';
import { decodeFrame, decodeHeader, encodeFrame, frameColumns, isIngest, quantise, type FrameHeader } from '@models/frame.codec.ts';
import { createApp } from '../../server/src/app.ts';
import { testOptions } from '../../server/src/config.ts';
import { log, row, stats, type Row } from './stats.ts';

export interface ColumnsCase {
  label: string;
  datasetDir: string;
}

const FRAMES = 8;

interface Captured {
  header: Omit<FrameHeader, 'count'>;
  occupancy: Float32Array;
  computeLoad: Float32Array;
  occupancyIngest: Uint8Array;
  computeIngest: Uint8Array;
}

interface ColumnFrame {
  kind: number;
  v: number;
  seq: number;
  ts: number;
  o: number[];
  c: number[];
  oi: number[];
  ci: number[];
}

function encodeColumns(f: Captured): string {
  const n = f.occupancy.length;
  const o = new Array<number>(n);
  const c = new Array<number>(n);
  const oi: number[] = [];
  const ci: number[] = [];
  for (let i = 0; i < n; i++) {
    o[i] = quantise(f.occupancy[i]!);
    c[i] = quantise(f.computeLoad[i]!);
    if (f.occupancyIngest[i]) oi.push(i);
    if (f.computeIngest[i]) ci.push(i);
  }
  const frame: ColumnFrame = { kind: f.header.kind, v: f.header.datasetVersion, seq: f.header.seq, ts: f.header.tsMs, o, c, oi, ci };
  return JSON.stringify(frame);
}

/** Into the client's columns: quantised bytes and 2-bit source flags, as a binary frame gives them. */
function decodeColumns(text: string, occ: Uint8Array, cmp: Uint8Array, src: Uint8Array): number {
  const f = JSON.parse(text) as ColumnFrame;
  const n = f.o.length;
  if (n > occ.length) throw new Error('frame larger than the district');
  for (let i = 0; i < n; i++) {
    occ[i] = f.o[i]!;
    cmp[i] = f.c[i]!;
  }
  src.fill(0);
  for (const i of f.oi) src[i >> 2]! |= 1 << ((i & 3) * 2);
  for (const i of f.ci) src[i >> 2]! |= 2 << ((i & 3) * 2);
  return f.seq;
}

function decodeBinary(frame: Uint8Array, occ: Uint8Array, cmp: Uint8Array, src: Uint8Array): number {
  const h = decodeHeader(frame);
  const cols = frameColumns(frame, h.count);
  occ.set(cols.occupancyQ);
  cmp.set(cols.computeQ);
  src.set(cols.sources);
  return h.seq;
}

function time(fn: (i: number) => unknown, reps: number): number[] {
  for (let i = 0; i < Math.min(10, reps); i++) fn(i);
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}

export async function wireColumnsBench(cases: readonly ColumnsCase[]): Promise<{ rows: Row[]; raw: unknown }> {
  const rows: Row[] = [];
  const raw: Record<string, unknown> = {};
  for (const c of cases) {
    log(`column JSON vs binary: ${c.label}`);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-bench-cols-'));
    const app = await createApp(testOptions({ dataDir, datasetDir: c.datasetDir, tickMs: 200 }));
    try {
      const url = await app.listen();
      const frames = await new Promise<Uint8Array[]>((resolve, reject) => {
        const sock = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true }) as import('socket.io-client').Socket<ServerToClientEvents, ClientToServerEvents>;
        const got: Uint8Array[] = [];
        const timeout = setTimeout(() => reject(new Error(`no frames within 60 s (${c.label})`)), 60_000);
        sock.on('metrics:frame', (f) => {
          // skip the first two (connect)
          if (got.length < FRAMES + 2) got.push(new Uint8Array(f instanceof Uint8Array ? f : new Uint8Array(f)).slice());
          if (got.length === FRAMES + 2) {
            clearTimeout(timeout);
            sock.close();
            resolve(got.slice(2));
          }
        });
        sock.on('connect_error', reject);
      });
      const captured: Captured[] = frames.map((bytes) => {
        const d = decodeFrame(bytes);
        const n = d.count;
        const cols = frameColumns(bytes, n);
        const oi = new Uint8Array(n);
        const ci = new Uint8Array(n);
        for (let i = 0; i < n; i++) {
          oi[i] = isIngest(cols.sources, i, 0) ? 1 : 0;
          ci[i] = isIngest(cols.sources, i, 1) ? 1 : 0;
        }
        return { header: { kind: d.kind, datasetVersion: d.datasetVersion, seq: d.seq, tsMs: d.tsMs }, occupancy: Float32Array.from(d.occupancy), computeLoad: Float32Array.from(d.computeLoad), occupancyIngest: oi, computeIngest: ci };
      });
      const n = captured[0]!.occupancy.length;
      const jsons = captured.map(encodeColumns);
      const deflated = jsons.map((j) => deflateRawSync(j));
      const binDeflated = frames.map((f) => deflateRawSync(f));
      // the column JSON must carry the same bytes the binary frame carries
      const occ = new Uint8Array(n);
      const cmp = new Uint8Array(n);
      const src = new Uint8Array(Math.ceil(n / 4));
      decodeColumns(jsons[0]!, occ, cmp, src);
      const cols = frameColumns(frames[0]!, n);
      if (!occ.every((v, i) => v === cols.occupancyQ[i]) || !cmp.every((v, i) => v === cols.computeQ[i]) || !src.every((v, i) => v === cols.sources[i])) throw new Error('column JSON does not round-trip the binary frame');

      const reps = n > 20_000 ? 40 : 200;
      const K = captured.length;
      const encBin = stats(time((i) => encodeFrame(captured[i % K]!.header, captured[i % K]!), reps));
      const decBin = stats(time((i) => decodeBinary(frames[i % K]!, occ, cmp, src), reps));
      const encJson = stats(time((i) => encodeColumns(captured[i % K]!), reps));
      const decJson = stats(time((i) => decodeColumns(jsons[i % K]!, occ, cmp, src), reps));
      const encDefl = stats(time((i) => deflateRawSync(encodeColumns(captured[i % K]!)), reps));
      const decDefl = stats(time((i) => decodeColumns(inflateRawSync(deflated[i % K]!).toString(), occ, cmp, src), reps));
      const bytes = {
        binary: stats(frames.map((f) => f.length)).median,
        binaryDeflated: stats(binDeflated.map((b) => b.length)).median,
        json: stats(jsons.map((j) => Buffer.byteLength(j))).median,
        jsonDeflated: stats(deflated.map((b) => b.length)).median,
      };
      raw[c.label] = { buildings: n, bytes, encBin, decBin, encJson, decJson, encDefl, decDefl };
      const perB = (x: number) => x / n;
      rows.push(
        row({
          section: 16,
          measure: 'payload bytes / building / tick (vs column JSON, plain)',
          scope: c.label,
          unit: 'B',
          ours: perB(bytes.binary),
          naive: perB(bytes.json),
          baseline: 'column-wise JSON {kind,v,seq,ts,o:[q…],c:[q…],oi:[…],ci:[…]}',
        }),
        row({
          section: 16,
          measure: 'payload bytes / building / tick (vs column JSON, deflated)',
          scope: c.label,
          unit: 'B',
          ours: perB(bytes.binary),
          naive: perB(bytes.jsonDeflated),
          baseline: 'the same JSON, raw deflate (permessage-deflate, default level)',
          note: `binary deflated too would be ${perB(bytes.binaryDeflated).toFixed(2)} B/building; the server sends it uncompressed`,
        }),
        row({
          section: 16,
          measure: 'encode one frame, server (vs column JSON plain / deflated)',
          scope: c.label,
          unit: 'ms',
          ours: encBin.median,
          oursP95: encBin.p95,
          naive: encJson.median,
          naiveP95: encJson.p95,
          baseline: 'JSON.stringify of the columns (plain)',
          note: `deflated JSON: median ${encDefl.median.toFixed(3)} ms, p95 ${encDefl.p95.toFixed(3)} ms — and permessage-deflate pays it per socket unless frames are pre-compressed`,
        }),
        row({
          section: 16,
          measure: 'decode one frame into the client columns (vs column JSON plain / deflated)',
          scope: c.label,
          unit: 'ms',
          ours: decBin.median,
          oursP95: decBin.p95,
          naive: decJson.median,
          naiveP95: decJson.p95,
          baseline: 'JSON.parse + copy (plain)',
          note: `deflated JSON (inflate + parse + copy): median ${decDefl.median.toFixed(3)} ms, p95 ${decDefl.p95.toFixed(3)} ms; Node ${process.version}`,
        }),
      );
    } finally {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return { rows, raw };
}
