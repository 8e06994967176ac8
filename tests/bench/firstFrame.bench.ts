/**
 * Measure 13: page open → first coloured frame, and main-thread long tasks on the way, in the real app (built by
 * chromium.ts, served by `createApp(testOptions({ clientDir, datasetDir }))` with the real or a synthetic district) in
 * Chromium. "Ready" is the app's own test hook (`document.body.dataset.ready`, set one animation frame after the
 * colours of the first live frame were drawn); times are from the navigation's time origin.
 *
 * Ours: the production path: the district worker (client/src/scene/district.worker.ts) fetches the binary footprints
 * (`/api/v1/district/footprints`) and builds the merged extrusion, then the picking tree, while the main thread fetches
 * and parses the JSON without footprints (client/src/net/districtWorker.ts). Baseline: the same build with
 * `window.Worker` removed before any script runs, so the client takes its main-thread fallback (fetch + JSON.parse of
 * the whole district + geometry build on the main thread, picking tree built at idle).
 * Long tasks come from a `longtask` PerformanceObserver installed before any script (tasks ≥ 50 ms). The phases come
 * from the client's own performance marks (`twin:*`: district in the store, snapshot applied, colours written, ready).
 * The server's compressed payloads are made before the first page opens (once per data-set version and cached on disk
 * in production, so a screen never pays for them).
 *
 * SwiftShader: the first frame is drawn by the CPU here (WebGL context creation, shader compile, raster of every
 * triangle, and headless Chromium reading every composited frame back to memory). One extra traced run per case sums
 * the GPU process's busy time before the first coloured frame, so the report can say how much of the figure a GPU
 * would take away.
 *
 * Before/after: with `BENCH_FIRSTFRAME_BEFORE=DIR` (a client built from an earlier commit, e.g. by that commit's
 * tests/bench/chromium.ts buildClient) the same pages are opened with that client against the same server, after the
 * current client's runs, and reported beside ours.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../server/src/app.ts';
import { testOptions } from '../../server/src/config.ts';
import type { Browser } from 'playwright-core';
import { launch } from './chromium.ts';
import { log, row, stats, type Row } from './stats.ts';

export interface FirstFrameCase {
  label: string;
  datasetDir: string;
  reps: number;
}

interface LoadLog {
  readyMs: number | null;
  longTasks: Array<[number, number]>;
  marks?: Record<string, number>;
}

declare global {
  interface Window {
    __load?: LoadLog;
  }
}

const install = (noWorker: boolean) => /* js */ `(() => {
  const log = { readyMs: null, longTasks: [] };
  window.__load = log;
  new PerformanceObserver((l) => { for (const e of l.getEntries()) log.longTasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true });
  const check = () => {
    if (log.readyMs !== null || !document.body || document.body.dataset.ready !== '1') return;
    log.readyMs = performance.now();
    log.marks = Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('twin:')).map((m) => [m.name.slice(5), Math.round(m.startTime)]));
  };
  new MutationObserver(check).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-ready'] });
  ${noWorker ? 'window.Worker = undefined;' : ''}
})();`;

interface Run {
  readyMs: number;
  /** The district in the store (`twin:district-set`): on the worker path with its geometry built, on the main thread before it. */
  districtMs: number;
  longTaskTotalMs: number;
  longTaskMaxMs: number;
  longTasks: number;
  marks: Record<string, number>;
}

/** Wait until the server serves every district payload brotli-compressed (it compresses in the background at start). */
async function compressedPayloads(url: string): Promise<void> {
  for (const p of ['/api/v1/district', '/api/v1/district?footprints=omit', '/api/v1/district/footprints']) {
    for (let i = 0; ; i++) {
      const res = await fetch(`${url}${p}`, { headers: { 'accept-encoding': 'br' } });
      await res.arrayBuffer();
      if (res.headers.get('content-encoding') === 'br') break;
      if (i > 600) throw new Error(`${p}: still not brotli-compressed after a minute`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

interface GpuBusy {
  readyMs: number;
  /** GPU process main thread busy (top-level tasks) from navigation start to ready. */
  busyMs: number;
  /** Of which reading composited frames back to memory (headless SwiftShader only). */
  readbackMs: number;
}

/** One traced page load: the GPU process's main-thread time before the first coloured frame. */
async function tracedLoad(browser: Browser, url: string): Promise<GpuBusy> {
  const page = await browser.newPage({ viewport: { width: 640, height: 400 } });
  const file = path.join(os.tmpdir(), `wbt-first-trace-${process.pid}.json`);
  try {
    await page.addInitScript(install(false));
    await browser.startTracing(page, { path: file, categories: ['toplevel', 'gpu', 'gpu.angle', 'blink.user_timing'] });
    await page.goto(`${url}/?lang=en`);
    await page.waitForFunction(() => window.__load?.readyMs != null, undefined, { timeout: 300_000, polling: 100 });
    await browser.stopTracing();
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as { traceEvents: TraceEvent[] };
    const ev = raw.traceEvents;
    const gpuThreads = new Set(ev.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrGpuMain').map((e) => `${e.pid}:${e.tid}`));
    const start = Math.min(...ev.filter((e) => e.name === 'navigationStart').map((e) => e.ts));
    const ready = ev.find((e) => e.name === 'twin:ready')?.ts ?? NaN;
    let busy = 0;
    let end = -Infinity;
    let readback = 0;
    for (const e of [...ev].sort((a, b) => a.ts - b.ts)) {
      if (e.ph !== 'X' || !e.dur || !gpuThreads.has(`${e.pid}:${e.tid}`) || e.ts < start || e.ts > ready) continue;
      if (e.name === 'ImageHelper::readPixelsImpl - CPU Readback') readback += e.dur;
      if (e.ts >= end) {
        busy += e.dur;
        end = e.ts + e.dur;
      }
    }
    return { readyMs: (ready - start) / 1000, busyMs: busy / 1000, readbackMs: readback / 1000 };
  } finally {
    await page.close();
    fs.rmSync(file, { force: true });
  }
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

async function openOnce(browser: Browser, url: string, noWorker: boolean): Promise<Run> {
  const page = await browser.newPage({ viewport: { width: 640, height: 400 } });
  try {
    page.on('pageerror', (e) => log(`[page error] ${e.message}`));
    await page.addInitScript(install(noWorker));
    await page.goto(`${url}/?lang=en`);
    await page.waitForFunction(() => window.__load?.readyMs != null, undefined, { timeout: 300_000, polling: 100 });
    const l = (await page.evaluate(() => window.__load!)) as LoadLog;
    const before = l.longTasks.filter(([start]) => start < l.readyMs!);
    return {
      readyMs: l.readyMs!,
      // the client before the marks has none: NaN
      districtMs: l.marks?.['district-set'] ?? NaN,
      marks: l.marks ?? {},
      longTaskTotalMs: before.reduce((s, [, d]) => s + d, 0),
      longTaskMaxMs: before.reduce((m, [, d]) => Math.max(m, d), 0),
      longTasks: before.length,
    };
  } finally {
    await page.close();
  }
}

/** The same case with an earlier client build (its own default path), against a server of its own on the same data. */
async function beforeRuns(browser: Browser, clientDir: string, c: FirstFrameCase): Promise<Run[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-bench-first-before-'));
  const app = await createApp(testOptions({ dataDir, clientDir, datasetDir: c.datasetDir, tickMs: 250 }));
  try {
    const url = await app.listen();
    await compressedPayloads(url);
    const runs: Run[] = [];
    for (let rep = 0; rep < c.reps; rep++) {
      log(`first coloured frame: ${c.label}, client before #${rep + 1}`);
      runs.push(await openOnce(browser, url, false));
    }
    return runs;
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function firstFrameBench(clientDir: string, cases: readonly FirstFrameCase[]): Promise<{ rows: Row[]; raw: unknown }> {
  const browser = await launch();
  const rows: Row[] = [];
  const raw: Record<string, unknown> = {};
  try {
    for (const c of cases) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-bench-first-'));
      const app = await createApp(testOptions({ dataDir, clientDir, datasetDir: c.datasetDir, tickMs: 250 }));
      let closed = false;
      try {
        const url = await app.listen();
        await compressedPayloads(url);
        const runs: Record<'worker' | 'main', Run[]> = { worker: [], main: [] };
        for (let rep = 0; rep < c.reps; rep++) {
          for (const kind of ['main', 'worker'] as const) {
            log(`first coloured frame: ${c.label}, ${kind === 'worker' ? 'worker' : 'main thread'} #${rep + 1}`);
            runs[kind].push(await openOnce(browser, url, kind === 'main'));
          }
        }
        log(`first coloured frame: ${c.label}, traced run (GPU process time)`);
        const gpu = await tracedLoad(browser, url);
        // the earlier client gets a server of its own, with this one closed (one simulator ticking, as for ours)
        await app.close();
        closed = true;
        const before = process.env.BENCH_FIRSTFRAME_BEFORE ? await beforeRuns(browser, process.env.BENCH_FIRSTFRAME_BEFORE, c) : null;
        raw[c.label] = { runs, gpu, before };
        const med = (k: 'worker' | 'main', f: Exclude<keyof Run, 'marks'>) => stats(runs[k].map((r) => r[f])).median;
        const afterDistrict = (k: 'worker' | 'main') => stats(runs[k].map((r) => r.readyMs - r.districtMs)).median;
        const baseline = 'same build, window.Worker removed: fetch + JSON.parse + geometry on the main thread';
        const note = `median of ${c.reps}; Chromium (SwiftShader), 640×400, shared 2-core machine`;
        rows.push(
          row({ section: 13, measure: 'page open → first coloured frame', scope: c.label, unit: 'ms', ours: med('worker', 'readyMs'), naive: med('main', 'readyMs'), baseline, budget: 'a few seconds at 50,000', note }),
          row({
            section: 13,
            measure: 'page open → district in the store (worker: geometry built; main thread: geometry still to build)',
            scope: c.label,
            unit: 'ms',
            ours: med('worker', 'districtMs'),
            naive: med('main', 'districtMs'),
            baseline,
            note: `then to the first coloured frame (snapshot, colour pass, first draw): worker ${afterDistrict('worker').toFixed(0)} ms, main thread ${afterDistrict('main').toFixed(0)} ms`,
          }),
          ...(before
            ? [
                row({
                  section: 13,
                  measure: 'page open → first coloured frame, vs the client before (BENCH_FIRSTFRAME_BEFORE)',
                  scope: c.label,
                  unit: 'ms',
                  ours: med('worker', 'readyMs'),
                  naive: stats(before.map((r) => r.readyMs)).median,
                  baseline: `earlier client build, its own worker path, same server: ${process.env.BENCH_FIRSTFRAME_BEFORE_LABEL ?? process.env.BENCH_FIRSTFRAME_BEFORE}`,
                  note: `median of ${c.reps} each, the earlier client's runs after ours, each with its own server on the same data`,
                }),
              ]
            : []),
          row({
            section: 13,
            measure: 'GPU process busy before the first coloured frame (SwiftShader, one traced run)',
            scope: c.label,
            unit: 'ms',
            ours: gpu.busyMs,
            note: `of which reading composited frames back to memory (headless SwiftShader) ${gpu.readbackMs.toFixed(0)} ms; that run's first coloured frame at ${gpu.readyMs.toFixed(0)} ms`,
          }),
          row({
            section: 13,
            measure: 'main-thread long tasks before the first frame (sum)',
            scope: c.label,
            unit: 'ms',
            ours: med('worker', 'longTaskTotalMs'),
            naive: med('main', 'longTaskTotalMs'),
            baseline,
            note: `longest: worker ${med('worker', 'longTaskMaxMs').toFixed(0)} ms, main thread ${med('main', 'longTaskMaxMs').toFixed(0)} ms; count ${med('worker', 'longTasks')} vs ${med('main', 'longTasks')}`,
          }),
        );
      } finally {
        if (!closed) await app.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    await browser.close();
  }
  return { rows, raw };
}
