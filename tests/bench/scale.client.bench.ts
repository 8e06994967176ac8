/**
 * Measure 13 (the district load alone, isolated from app start-up: district worker vs main thread, main-thread long
 * tasks while it loads) and measures 14 and 15 (issue 9, the client at 50,000 buildings), on the bench page (client/bench/scale.ts) in Chromium
 * (SwiftShader WebGL; `--enable-precise-memory-info` so the JS heap figure is not bucketed):
 *
 * 14. The colour pass (`writeBuildingColours`, lookup tables) and the data-texture upload, against the same pass with
 *     the per-building ramp function it used before. Budget ≤ 2 ms at 50,000 for pass + upload.
 * 15. The honest alternative to the merged mesh + data texture: three.js `BatchedMesh`, one geometry and instance per
 *     building, coloured with `setColorAt`. Draw calls, build time, apply one tick (colours written + the render that
 *     uploads them), buffer bytes handed to the GPU, JS heap growth.
 */
import { chromium, type Page } from 'playwright-core';
import type { District } from '@models/district.ts';
import { encodeFootprints } from '@models/footprints.codec.ts';
import type { BatchedResult, ColourPassResult, DistrictLoadResult } from '../../client/bench/scale.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.ts';
import { serveStatic } from './chromium.ts';
import { log, row, stats, type Row } from './stats.ts';

export interface ScaleClientCase {
  label: string;
  district: District;
}

const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

export async function scaleClientBench(clientDir: string, cases: readonly ScaleClientCase[]): Promise<{ rows: Row[]; raw: unknown }> {
  const server = await serveStatic(clientDir);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, '--enable-precise-memory-info'] });
  const rows: Row[] = [];
  const raw: Record<string, unknown> = {};
  try {
    for (const c of cases) {
      const n = c.district.buildings.length;
      const url = server.put(`scale-district-${n}`, JSON.stringify(c.district));
      // the worker path's two halves, as the real server sends them (/api/v1/district?footprints=omit, /api/v1/district/footprints)
      const slimUrl = server.put(`scale-district-${n}.slim`, JSON.stringify({ ...c.district, buildings: c.district.buildings.map(({ footprint: _f, ...b }) => b) }));
      const footprintsUrl = server.putBinary(`scale-district-${n}.footprints`, encodeFootprints(c.district));
      // a fresh page per case and per scene, so one scene's garbage does not land in the other's heap figure
      const open = async (): Promise<Page> => {
        const page = await browser.newPage({ viewport: { width: 400, height: 260 } });
        page.on('pageerror', (e) => log(`[page error] ${e.message}`));
        await page.goto(`${server.url}/bench/index.html`);
        await page.waitForFunction(() => document.body.dataset.bench === 'ready', undefined, { timeout: 60_000 });
        await page.evaluate((u) => window.__bench!.load(u), url);
        return page;
      };

      log(`district load, worker vs main thread: ${c.label}`);
      let page = await open();
      const loads: Record<'worker' | 'main', DistrictLoadResult[]> = { worker: [], main: [] };
      for (let rep = 0; rep < 3; rep++) {
        for (const mode of ['main', 'worker'] as const) loads[mode].push((await page.evaluate(([u, m, f]) => window.__bench!.districtLoad(u, m, f), [mode === 'worker' ? slimUrl : url, mode, footprintsUrl] as const)) as DistrictLoadResult);
      }
      await page.close();
      raw[`districtLoad ${c.label}`] = loads;
      const lm = (mode: 'worker' | 'main', f: 'totalMs' | 'longTaskMs' | 'longestMs') => stats(loads[mode].map((r) => r[f])).median;
      const loadBaseline = 'fetch + JSON.parse + buildBuildingsGeometry on the main thread';
      rows.push(
        row({ section: 13, measure: 'load the district: request → geometry ready (bench page)', scope: c.label, unit: 'ms', ours: lm('worker', 'totalMs'), naive: lm('main', 'totalMs'), baseline: loadBaseline, note: 'median of 3; worker = binary footprints built in the worker while this thread parses the JSON without footprints; the worker also builds the picking tree after sending the geometry' }),
        row({
          section: 13,
          measure: 'main thread blocked while the district loads (long tasks, sum)',
          scope: c.label,
          unit: 'ms',
          ours: lm('worker', 'longTaskMs'),
          naive: lm('main', 'longTaskMs'),
          baseline: loadBaseline,
          note: `longest task: worker ${lm('worker', 'longestMs').toFixed(0)} ms, main thread ${lm('main', 'longestMs').toFixed(0)} ms; median of 3`,
        }),
      );

      log(`colour pass + upload: ${c.label}`);
      page = await open();
      const reps = n > 20_000 ? 100 : 300;
      const cp = (await page.evaluate((r) => window.__bench!.colourPass(r), reps)) as ColourPassResult;
      await page.close();
      const pass = stats(cp.passMs);
      const upload = stats(cp.uploadMs);
      const base = stats(cp.baselinePassMs);
      const total = stats(cp.passMs.map((p, i) => p + cp.uploadMs[i]!));
      raw[`colourPass ${c.label}`] = { pass, upload, base, total };
      rows.push(
        row({
          section: 14,
          measure: 'colour pass (lookup tables)',
          scope: c.label,
          unit: 'ms',
          ours: pass.median,
          oursP95: pass.p95,
          naive: base.median,
          naiveP95: base.p95,
          baseline: 'the same pass with a ramp function per building (before the tables)',
        }),
        row({
          section: 14,
          measure: 'colour pass + data-texture upload',
          scope: c.label,
          unit: 'ms',
          ours: total.median,
          oursP95: total.p95,
          ...(n === 50_000 ? { budget: '≤ 2 ms', withinBudget: total.median <= 2 } : {}),
          note: `upload alone (renderer.initTexture → texSubImage2D, ${n.toLocaleString('en-US')} RGBA texels): median ${upload.median.toFixed(3)} ms, p95 ${upload.p95.toFixed(3)} ms; ${pass.n} ticks`,
        }),
      );

      const results: Partial<Record<'merged' | 'batched', BatchedResult>> = {};
      for (const kind of ['merged', 'batched'] as const) {
        log(`BatchedMesh vs merged: ${c.label}, ${kind}`);
        page = await open();
        const ticks = n > 20_000 ? 15 : 40;
        results[kind] = (await page.evaluate(([k, t]) => window.__bench!.batched(k, 3, t), [kind, ticks] as const)) as BatchedResult;
        await page.close();
      }
      const m = results.merged!;
      const b = results.batched!;
      raw[`batched ${c.label}`] = { merged: { ...m, apply: stats(m.applyMs), render: stats(m.renderMs) }, batched: { ...b, apply: stats(b.applyMs), render: stats(b.renderMs) } };
      const baseline = 'three.js BatchedMesh: one ExtrudeGeometry + instance per building, setColorAt per building';
      const ma = stats(m.applyMs);
      const ba = stats(b.applyMs);
      rows.push(
        row({ section: 15, measure: 'draw calls, all buildings (vs BatchedMesh)', scope: c.label, unit: 'calls', ours: m.calls, naive: b.calls, baseline, note: `triangles: merged ${m.triangles.toLocaleString('en-US')}, batched ${b.triangles.toLocaleString('en-US')}; WEBGL_multi_draw ${b.multiDraw ? 'available' : 'not available'}` }),
        row({ section: 15, measure: 'build the scene (vs BatchedMesh)', scope: c.label, unit: 'ms', ours: m.buildMs, naive: b.buildMs, baseline }),
        row({
          section: 15,
          measure: 'apply one tick: colours + the render that uploads them (vs BatchedMesh)',
          scope: c.label,
          unit: 'ms',
          ours: ma.median,
          oursP95: ma.p95,
          naive: ba.median,
          naiveP95: ba.p95,
          baseline,
          note: `render alone: merged ${stats(m.renderMs).median.toFixed(1)} ms, batched ${stats(b.renderMs).median.toFixed(1)} ms (SwiftShader, CPU raster)`,
        }),
        row({
          section: 15,
          measure: 'bytes handed to the GPU (vs BatchedMesh)',
          scope: c.label,
          unit: 'MB',
          ours: m.gpuBytes / 1e6,
          naive: b.gpuBytes / 1e6,
          baseline,
          note: `JS heap growth while built: merged ${m.heapBytes === null ? 'n/a' : mb(m.heapBytes)}, batched ${b.heapBytes === null ? 'n/a' : mb(b.heapBytes)}`,
        }),
      );
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return { rows, raw };
}
