/**
 * Measure 13: page open → first coloured frame, and main-thread long tasks on the way, in the real app (built by
 * chromium.ts, served by `createApp(testOptions({ clientDir, datasetDir }))` with the real or a synthetic district) in
 * Chromium. "Ready" is the app's own test hook (`document.body.dataset.ready`, set one animation frame after the
 * colours of the first live frame were drawn); times are from the navigation's time origin.
 *
 * Ours: the production path, the district fetched, parsed and built (merged extrusion + picking tree) in the district
 * worker (client/src/scene/district.worker.ts) with only typed arrays transferred back. Baseline: the same build with
 * `window.Worker` removed before any script runs, so the client takes its main-thread fallback (fetch + JSON.parse +
 * geometry build on the main thread, picking tree built at idle) — what the client did before the worker.
 * Long tasks come from a `longtask` PerformanceObserver installed before any script (tasks ≥ 50 ms).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../server/src/app.ts';
import { testOptions } from '../../server/src/config.ts';
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
  const check = () => { if (log.readyMs === null && document.body && document.body.dataset.ready === '1') log.readyMs = performance.now(); };
  new MutationObserver(check).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-ready'] });
  ${noWorker ? 'window.Worker = undefined;' : ''}
})();`;

interface Run {
  readyMs: number;
  longTaskTotalMs: number;
  longTaskMaxMs: number;
  longTasks: number;
}

export async function firstFrameBench(clientDir: string, cases: readonly FirstFrameCase[]): Promise<{ rows: Row[]; raw: unknown }> {
  const browser = await launch();
  const rows: Row[] = [];
  const raw: Record<string, unknown> = {};
  try {
    for (const c of cases) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-bench-first-'));
      const app = await createApp(testOptions({ dataDir, clientDir, datasetDir: c.datasetDir, tickMs: 250 }));
      try {
        const url = await app.listen();
        const runs: Record<'worker' | 'main', Run[]> = { worker: [], main: [] };
        for (let rep = 0; rep < c.reps; rep++) {
          for (const kind of ['main', 'worker'] as const) {
            log(`first coloured frame: ${c.label}, ${kind === 'worker' ? 'worker' : 'main thread'} #${rep + 1}`);
            const page = await browser.newPage({ viewport: { width: 640, height: 400 } });
            page.on('pageerror', (e) => log(`[page error] ${e.message}`));
            await page.addInitScript(install(kind === 'main'));
            await page.goto(`${url}/?lang=en`);
            await page.waitForFunction(() => window.__load?.readyMs != null, undefined, { timeout: 300_000, polling: 100 });
            const l = (await page.evaluate(() => window.__load!)) as LoadLog;
            const before = l.longTasks.filter(([start]) => start < l.readyMs!);
            runs[kind].push({
              readyMs: l.readyMs!,
              longTaskTotalMs: before.reduce((s, [, d]) => s + d, 0),
              longTaskMaxMs: before.reduce((m, [, d]) => Math.max(m, d), 0),
              longTasks: before.length,
            });
            await page.close();
          }
        }
        raw[c.label] = runs;
        const med = (k: 'worker' | 'main', f: keyof Run) => stats(runs[k].map((r) => r[f])).median;
        const baseline = 'same build, window.Worker removed: fetch + JSON.parse + geometry on the main thread';
        const note = `median of ${c.reps}; Chromium (SwiftShader), 640×400, shared 2-core machine`;
        rows.push(
          row({ section: 13, measure: 'page open → first coloured frame', scope: c.label, unit: 'ms', ours: med('worker', 'readyMs'), naive: med('main', 'readyMs'), baseline, budget: 'a few seconds at 50,000', note }),
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
        await app.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    await browser.close();
  }
  return { rows, raw };
}
