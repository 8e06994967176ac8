/**
 * Fan-out (issue 9): 100 / 1,000 / 2,000 real socket.io-clients, in child processes (FANOUT_PER_PROCESS each), receive
 * frames of the 10,000-building district from one real server (the gateway in this process). Delivery lag p50 / p99 /
 * max from the frame's own time, frames dropped (a volatile frame a slow client skipped, counted against the ticks
 * the clients saw) and server CPU per client (this process's CPU over the window ÷ clients). Memory per client (the
 * highest RSS sampled in the window − RSS before connecting, ÷ clients) is only in the raw report: the previous
 * server's garbage makes it swing below zero, so it is no figure yet. Everything shares the 2 cores: clients' CPU competes with the server's.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../server/src/app.ts';
import { REPO_ROOT, testOptions } from '../../server/src/config.ts';
import { log, row, stats, type Row } from './stats.ts';

export const FANOUT_COUNTS = [100, 1000, 2000];
const FANOUT_PER_PROCESS = 500;
const WINDOW_MS = 10_000;

interface ClientReport {
  lags: number[];
  expectedPerClient: number;
  received: number;
  clients: number;
}

export async function fanoutBench(c: { label: string; datasetDir: string }, counts = FANOUT_COUNTS): Promise<{ rows: Row[]; raw: unknown }> {
  const rows: Row[] = [];
  const raw: Record<string, unknown> = {};
  for (const n of counts) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-bench-fanout-'));
    const app = await createApp(testOptions({ dataDir: dir, datasetDir: c.datasetDir, tickMs: 1000 }));
    const url = await app.listen();
    try {
      log(`fan-out: ${n} clients, ${c.label}`);
      const rss0 = process.memoryUsage().rss;
      const procs = Math.ceil(n / FANOUT_PER_PROCESS);
      let connected = 0;
      let cpu0: NodeJS.CpuUsage | null = null;
      let t0 = 0;
      let rss1 = 0;
      const rssTimer = setInterval(() => (rss1 = Math.max(rss1, process.memoryUsage().rss)), 250);
      const reports = await Promise.all(
        Array.from({ length: procs }, (_, p) => {
          const k = Math.min(FANOUT_PER_PROCESS, n - p * FANOUT_PER_PROCESS);
          const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'tests', 'bench', 'fanout.client.ts'), url, String(k), String(WINDOW_MS)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
          child.stderr.on('data', (d: Buffer) => {
            if (d.toString().includes('connected') && ++connected === procs) {
              cpu0 = process.cpuUsage();
              t0 = performance.now();
            }
          });
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          return new Promise<ClientReport>((resolve, reject) =>
            child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as ClientReport) : reject(new Error(`fan-out client exited ${code}`)))),
          );
        }),
      );
      clearInterval(rssTimer);
      const cpu = cpu0 ? process.cpuUsage(cpu0) : { user: 0, system: 0 };
      const wallS = (performance.now() - t0) / 1000;
      const lags = reports.flatMap((r) => r.lags);
      const expected = Math.max(...reports.map((r) => r.expectedPerClient)) * n;
      const received = reports.reduce((s, r) => s + r.received, 0);
      const l = stats(lags);
      const sorted = [...lags].sort((a, b) => a - b);
      const p99 = sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)] ?? NaN;
      const dropped = expected > 0 ? 1 - received / expected : NaN;
      const cpuPerClientPct = ((cpu.user + cpu.system) / 1e6 / wallS / n) * 100;
      const memPerClientKB = (rss1 - rss0) / n / 1024;
      raw[`fan-out ${n}`] = { lag: { ...l, p99 }, expected, received, dropped, cpuPerClientPct, memPerClientKB, wallS };
      rows.push(
        row({
          section: 8,
          measure: `fan-out: frame delivery lag p50 (p95 col = p99), ${n} clients`,
          scope: c.label,
          unit: 'ms',
          ours: l.median,
          oursP95: p99,
          budget: 'p99 ≤ 100 ms',
          withinBudget: p99 <= 100,
          note: `max ${l.max.toFixed(0)} ms; dropped ${(dropped * 100).toFixed(1)} % of ${expected} frames; server CPU ${cpuPerClientPct.toFixed(3)} % of a core per client; socket.io-client over WebSocket, ${Math.ceil(n / FANOUT_PER_PROCESS)} client process(es) on the same cores`,
        }),
      );
    } finally {
      await app.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return { rows, raw };
}
