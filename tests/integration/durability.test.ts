/**
 * The durability promise, tested against the real entry point in a child process: a batch acknowledged with 2xx
 * survives `kill -9` sent the moment the acknowledgement arrives; after a restart on the same DATA_DIR the readings are
 * in history and are the current values again, and connected clients recover by themselves. SIGTERM shuts down cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import type { HistoryResponse, StateResponse } from '@models/api.ts';
import type { District } from '@models/district.ts';
import type { Snapshot } from '@models/events.ts';
import { decodeSnapshot } from '@models/snapshot.codec.ts';
import { decodeFrame } from '@models/frame.codec.ts';
import { REPO_ROOT } from '../../server/src/config.ts';
import { iso, liveClient, postTelemetry, TOKEN, type LiveClient } from './ingest.helpers.ts';

let dataDir: string;
let port: number;
let url: string;
let child: ChildProcess | null = null;
let district: District;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function startChild(): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, INGEST_TOKEN: TOKEN, SIMULATOR: 'fill', TICK_MS: '200', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += String(d)));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return proc;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const exited = (proc: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve({ code: proc.exitCode, signal: proc.signalCode });
    else proc.once('exit', (code, signal) => resolve({ code, signal }));
  });

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-durability-'));
  port = await freePort();
  url = `http://127.0.0.1:${port}`;
  child = await startChild();
  district = (await (await fetch(`${url}/api/v1/district`)).json()) as District;
}, 30_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited(child);
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('durability', () => {
  it('should keep an acknowledged batch through kill -9 and restore it as current, while connected clients recover', async () => {
    const screen: LiveClient = liveClient(url, { reconnection: true });
    const snapshots: Snapshot[] = [];
    screen.on('district:snapshot', (s) => snapshots.push(decodeSnapshot(s)));
    await expect.poll(() => snapshots.length, { timeout: 5000 }).toBe(1);

    const buildings = district.buildings.filter((b) => b.capacityPeople > 0).slice(0, 50);
    const ts = Date.now() - 1_000;
    const readings = [
      ...buildings.map((b, k) => ({ kind: 'building' as const, buildingId: b.id, ts: iso(ts), occupancy: (k % 10) / 10 + 0.05 })),
      { kind: 'supplier' as const, supplierId: district.suppliers[0]!.id, ts: iso(ts), capacityPflops: 1000, allocatedPflops: 800, usedPflops: 650 },
      { kind: 'company' as const, companyId: district.companies[0]!.id, ts: iso(ts), headcount: 4321, buildingId: null },
    ];
    const res = await postTelemetry(url, { readings });
    child!.kill('SIGKILL'); // the moment the acknowledgement is in: nothing after this can help
    expect(res.status).toBe(200);
    expect(await exited(child!)).toEqual({ code: null, signal: 'SIGKILL' });

    child = await startChild();

    const state = (await (await fetch(`${url}/api/v1/state`)).json()) as StateResponse;
    buildings.forEach((b, k) => {
      const current = state.buildings.find((x) => x.id === b.id)!.metrics.occupancy;
      expect(current, b.id).toEqual({ value: expect.closeTo((k % 10) / 10 + 0.05, 5), ts: iso(ts), source: 'ingest', stale: false });
    });
    expect(state.suppliers.find((p) => p.supplierId === district.suppliers[0]!.id)).toMatchObject({ usedPflops: 650, tsMs: ts, source: 'ingest' });
    expect(state.companies.find((c) => c.companyId === district.companies[0]!.id)).toMatchObject({ headcount: 4321, buildingId: null, source: 'ingest' });

    for (const [k, b] of buildings.entries()) {
      const q = `building=${b.id}&metric=occupancy&from=${iso(ts - 60_000)}&to=${iso(ts + 60_000)}`;
      const history = (await (await fetch(`${url}/api/v1/history?${q}`)).json()) as HistoryResponse;
      expect(history.points, b.id).toEqual([{ ts: iso(Math.floor(ts / 60_000) * 60_000), value: expect.closeTo((k % 10) / 10 + 0.05, 5), source: 'ingest' }]);
    }

    // The client reconnected by itself and got a fresh snapshot from the new process, showing the restored values.
    await expect.poll(() => snapshots.length, { timeout: 10_000 }).toBe(2);
    const frame = decodeFrame(snapshots[1]!.frame as ArrayBuffer);
    const i = district.buildings.findIndex((b) => b.id === buildings[0]!.id);
    expect(frame.occupancyIngest[i]).toBe(true);
    expect(snapshots[1]!.pools.find((p) => p.supplierId === district.suppliers[0]!.id)?.source).toBe('ingest');
    screen.close();
  }, 60_000);

  it('should shut down cleanly on SIGTERM: exit 0, the minute so far written, the database closed', async () => {
    // At least one tick has been sampled since the restart.
    await new Promise((r) => setTimeout(r, 500));
    const proc = child!;
    proc.kill('SIGTERM');
    expect(await exited(proc)).toEqual({ code: 0, signal: null });
    // A clean close checkpoints the WAL into the main file and removes it.
    expect(fs.existsSync(path.join(dataDir, 'history.sqlite-wal'))).toBe(false);
    const db = new Database(path.join(dataDir, 'history.sqlite'), { readonly: true });
    try {
      const sampled = db.prepare('SELECT count(*) AS n FROM building_minute WHERE readings = 0 AND minute >= ?').get(Math.floor((Date.now() - 120_000) / 60_000)) as { n: number };
      expect(sampled.n).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  }, 30_000);
});
