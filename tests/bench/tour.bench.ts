/**
 * Section 11: the /tour wall left running. A real server (simulator on, SIM_SPEED high so simulated time runs fast)
 * and the built client in Chromium; /tour with fast steps (`?step=2`: a full loop every 14 s). After 1 minute and after
 * TOUR_BENCH_MINUTES (default 10) it reads, after a forced GC through CDP: the JS heap (`Runtime.getHeapUsage`) and
 * the DOM node count (`Memory.getDOMCounters`, detached nodes included: a leak shows there). Flat means the later
 * figure at most 10 % above the first (a leak grows; fewer later is not one). Beside it, in the same run and browser: the frame time of /tour and of the explorer
 * (/), as rAF-to-rAF intervals over 10 s with the simulator ticking (SwiftShader renders on the CPU, so these are
 * figures of this machine, not of a wall's GPU). Nothing is asserted.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { createApp } from '../../server/src/app.ts';
import { testOptions } from '../../server/src/config.ts';
import { launch } from './chromium.ts';
import { log, row, stats, type Row } from './stats.ts';

const SIM_SPEED = 60;

async function memory(page: Page): Promise<{ heapMB: number; nodes: number }> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
    const dom = (await cdp.send('Memory.getDOMCounters')) as { nodes: number };
    return { heapMB: heap.usedSize / 1048576, nodes: dom.nodes };
  } finally {
    await cdp.detach();
  }
}

/** rAF-to-rAF intervals (ms) over `ms` of wall time. (A string: tsx would wrap a named inner function in `__name`.) */
function frameIntervals(page: Page, ms: number): Promise<number[]> {
  return page.evaluate(`new Promise((resolve) => {
    const out = [];
    let last = performance.now();
    const end = last + ${Number(ms)};
    const step = (t) => {
      out.push(t - last);
      last = t;
      if (t < end) requestAnimationFrame(step);
      else resolve(out);
    };
    requestAnimationFrame(step);
  })`) as Promise<number[]>;
}

export async function tourBench(clientDir: string): Promise<{ rows: Row[]; raw: unknown }> {
  const minutes = Number(process.env.TOUR_BENCH_MINUTES ?? 10);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-bench-tour-'));
  const app = await createApp(testOptions({ dataDir, clientDir, simulator: { mode: 'on', seed: 11, speed: SIM_SPEED } }));
  const url = await app.listen();
  const browser = await launch();
  const rows: Row[] = [];
  const raw: Record<string, unknown> = {};
  try {
    const open = async (p: string) => {
      const page = await browser.newPage({ viewport: { width: 960, height: 540 } });
      page.on('pageerror', (e) => log(`[page error] ${e.message}`));
      await page.goto(`${url}${p}`);
      await page.waitForFunction(() => document.body.dataset.ready === '1', undefined, { timeout: 120_000 });
      return page;
    };

    log('frame time: explorer and tour');
    const explorer = await open('/?lang=en');
    const exFrames = stats(await frameIntervals(explorer, 10_000));
    await explorer.close();
    const tour = await open('/tour?lang=en&step=2');
    const tourFrames = stats(await frameIntervals(tour, 10_000));
    raw.frames = { explorer: exFrames, tour: tourFrames };
    rows.push(
      row({
        section: 11,
        measure: 'frame time, /tour beside the explorer (rAF interval)',
        scope: 'real district, 960×540, SwiftShader',
        unit: 'ms',
        ours: tourFrames.median,
        oursP95: tourFrames.p95,
        naive: exFrames.median,
        naiveP95: exFrames.p95,
        baseline: 'the explorer (/) in the same browser and run',
        note: `${tourFrames.n} / ${exFrames.n} frames in 10 s each, simulator at ${SIM_SPEED}×`,
      }),
    );

    const t0 = Date.now();
    const waitUntil = async (min: number) => {
      const left = t0 + min * 60_000 - Date.now();
      if (left > 0) await tour.waitForTimeout(left);
    };
    await waitUntil(1);
    const first = await memory(tour);
    log(`tour after 1 min: ${first.heapMB.toFixed(1)} MB heap, ${first.nodes} DOM nodes`);
    await waitUntil(minutes);
    const later = await memory(tour);
    log(`tour after ${minutes} min: ${later.heapMB.toFixed(1)} MB heap, ${later.nodes} DOM nodes`);
    const steps = await tour.evaluate(() => document.querySelector<HTMLElement>('[data-testid="tour"]')!.dataset.step);
    raw.memory = { first, later, minutes, lastStep: steps };
    // flat = not growing: a leak grows; fewer nodes or bytes later (a step with fewer elements, GC) is not one
    const flat = (a: number, b: number) => b <= a * 1.1;
    rows.push(
      row({
        section: 11,
        measure: `/tour JS heap after ${minutes} min (vs after 1 min)`,
        scope: `step 2 s, simulator ${SIM_SPEED}×`,
        unit: 'MB',
        ours: later.heapMB,
        naive: first.heapMB,
        baseline: 'the same page after 1 min',
        budget: '≤ +10 %',
        withinBudget: flat(first.heapMB, later.heapMB),
        note: `after GC (CDP HeapProfiler.collectGarbage, Runtime.getHeapUsage); ${((minutes * 60) / 2) | 0} tour steps, ${(minutes * SIM_SPEED) | 0} simulated minutes`,
      }),
      row({
        section: 11,
        measure: `/tour DOM nodes after ${minutes} min (vs after 1 min)`,
        scope: `step 2 s, simulator ${SIM_SPEED}×`,
        unit: 'nodes',
        ours: later.nodes,
        naive: first.nodes,
        baseline: 'the same page after 1 min',
        budget: '≤ +10 %',
        withinBudget: flat(first.nodes, later.nodes),
        note: 'CDP Memory.getDOMCounters (detached nodes included)',
      }),
    );
    await tour.close();
  } finally {
    await browser.close();
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return { rows, raw };
}
