/**
 * Measures 1 and 2, in real Chromium (SwiftShader WebGL; the page's main thread is the client's real main thread):
 *
 * 1. Draw calls for all buildings, from `renderer.info.render.calls` after one render of a scene holding only the
 *    buildings: the client's merged mesh vs one mesh per building. Fair: both scenes show the same footprints and
 *    heights with a lit MeshStandardMaterial, the whole district is in view so the naive scene loses nothing to
 *    frustum culling, and both are counted by three.js itself. Per-render time is reported beside (informational:
 *    SwiftShader rasterises on the CPU, so it is not a GPU figure).
 * 2. Main-thread time to apply one tick (see client/bench/bench.ts for both paths); medians and p95 over hundreds of
 *    ticks, with the page cross-origin isolated for 5 µs timer resolution.
 */
import type { Page } from 'playwright-core';
import type { District } from '@models/district.ts';
import type { ApplyTickResult, DrawCallResult } from '../../client/bench/bench.ts';
import { launch, serveStatic } from './chromium.ts';
import { log, row, stats, type Row } from './stats.ts';

export interface BrowserCase {
  label: string;
  district: District;
}

const RENDERS = 5;

export async function browserBench(clientDir: string, cases: readonly BrowserCase[]): Promise<{ rows: Row[]; raw: unknown }> {
  const server = await serveStatic(clientDir);
  const browser = await launch();
  const rows: Row[] = [];
  const raw: Record<string, unknown> = {};
  try {
    const page = await browser.newPage({ viewport: { width: 400, height: 260 } });
    page.on('pageerror', (e) => log(`[page error] ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') log(`[page console] ${m.text()}`);
    });
    await page.goto(`${server.url}/bench/index.html`);
    await page.waitForFunction(() => document.body.dataset.bench === 'ready', undefined, { timeout: 60_000 });

    for (const c of cases) {
      const n = c.district.buildings.length;
      const url = server.put(`district-${n}`, JSON.stringify(c.district));
      await page.evaluate((u) => window.__bench!.load(u), url);

      log(`draw calls: ${c.label}`);
      const merged = await drawCalls(page, 'merged');
      const naive = await drawCalls(page, 'naive');
      raw[`drawCalls ${c.label}`] = { merged, naive };
      rows.push(
        row({
          section: 1,
          measure: 'draw calls, all buildings',
          scope: c.label,
          unit: 'calls',
          ours: merged.calls,
          naive: naive.calls,
          baseline: 'one Mesh (ExtrudeGeometry + MeshStandardMaterial) per building',
          budget: 'constant',
          note: `merged: ${merged.triangles.toLocaleString('en-US')} triangles in ${merged.meshes} mesh; naive: ${naive.meshes.toLocaleString('en-US')} meshes`,
        }),
      );
      const mr = stats(merged.renderMs);
      const nr = stats(naive.renderMs);
      rows.push(
        row({
          section: 1,
          measure: 'render one frame of the buildings (info)',
          scope: c.label,
          unit: 'ms',
          ours: mr.median,
          oursP95: mr.p95,
          naive: nr.median,
          naiveP95: nr.p95,
          baseline: 'same naive scene; SwiftShader, 320×200 canvas',
          note: `build: merged ${merged.buildMs.toFixed(0)} ms, naive ${naive.buildMs.toFixed(0)} ms`,
        }),
      );

      log(`apply one tick: ${c.label}`);
      const reps = n > 20_000 ? 150 : 300;
      const naiveReps = n > 20_000 ? 30 : 80;
      const tick = await page.evaluate(([r, nr2]) => window.__bench!.applyTick(r, nr2), [reps, naiveReps] as const);
      const ours = stats(tick.oursMs);
      const base = stats(tick.naiveMs);
      raw[`applyTick ${c.label}`] = summariseTick(tick);
      rows.push(
        row({
          section: 2,
          measure: 'main thread: apply one tick',
          scope: c.label,
          unit: 'ms',
          ours: ours.median,
          oursP95: ours.p95,
          naive: base.median,
          naiveP95: base.p95,
          baseline: 'JSON.parse + Color.setRGB on one mesh per building',
          ...(n === 10_000 ? { budget: '≤ 1 ms', withinBudget: ours.median <= 1 } : {}),
          note: `Chromium main thread, crossOriginIsolated=${tick.crossOriginIsolated}; ${ours.n}/${base.n} ticks`,
        }),
      );
    }
    await page.close();
  } finally {
    await browser.close();
    await server.close();
  }
  return { rows, raw };
}

function drawCalls(page: Page, kind: 'merged' | 'naive'): Promise<DrawCallResult> {
  return page.evaluate(([k, r]) => window.__bench!.drawCalls(k, r), [kind, RENDERS] as const);
}

function summariseTick(t: ApplyTickResult) {
  return { buildings: t.buildings, ours: stats(t.oursMs), naive: stats(t.naiveMs), binaryBytes: t.binaryBytes, jsonChars: t.jsonChars, crossOriginIsolated: t.crossOriginIsolated };
}
