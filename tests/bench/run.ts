/**
 * `npm run bench`: every budget of PRODUCT.md ("Budgets") measured beside a naive baseline in the same run, printed
 * as a table and written to var/bench/report.json. Medians and p95 over repeated runs; nothing here asserts a timing
 * (a section that throws is reported and makes the exit code non-zero, a figure over budget does not).
 *
 *   1 draw calls            browser.bench.ts   (Chromium, SwiftShader)
 *   2 apply one tick        browser.bench.ts   (Chromium main thread)
 *   3 bytes on the wire     wire.bench.ts      (real server + socket.io-client)
 *   4 React commits / tick  commits.bench.ts   (real app in Chromium)
 *   5 ingest                ingest.bench.ts    (TelemetryService → SQLite, synchronous = FULL)
 *   6 history               history.bench.ts   (a week of minutes), history.storage.bench.ts (bytes per row, read flood),
 *                           history.backends.bench.ts (PostgreSQL beside SQLite, when TEST_POSTGRES_URL is set)
 *   7 pick a building       explorer.bench.ts  (BVH vs plain raycast, Node)
 *   8 switch to a replay    explorer.bench.ts  (real server + socket.io-client)
 *  11 server at scale       scale.bench.ts     (event-loop stalls: minute write, ingest batch, reconnect storm; snapshot cost)
 *  12 fan-out               fanout.bench.ts    (100 socket.io-clients; 100 / 1,000 / 2,000 / 5,000 light clients; storm)
 *  10 planner's tools       tools.bench.ts     (search, filter mask, alert rules)
   *   9 the /tour wall        tour.bench.ts      (heap and DOM nodes after 1 and 10 min; frame time beside the explorer)
 *  13 first coloured frame  firstFrame.bench.ts (real app in Chromium: district worker vs main thread)
 *  14 colour pass + upload  scale.client.bench.ts (Chromium: lookup tables vs ramp function)
 *  15 vs BatchedMesh        scale.client.bench.ts (Chromium: merged mesh + data texture vs BatchedMesh + setColorAt)
 *  16 vs column JSON        wire.columns.bench.ts (real frames: binary vs column-wise JSON, plain and deflated)
 *
 * Run a subset with `npm run bench -- --only 3,5`. Scales: the real district plus generated districts of 10,000 and
 * 50,000 buildings (syntheticDistrict.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { District } from '@models/district.ts';
import { loadDistrict } from '../../server/src/district/district.loader.ts';
import { REPO_ROOT } from '../../server/src/config.ts';
import { browserBench } from './browser.bench.ts';
import { buildClient, chromiumVersion } from './chromium.ts';
import { commitsBench } from './commits.bench.ts';
import { pickBench, replaySwitchBench } from './explorer.bench.ts';
import { historyBench } from './history.bench.ts';
import { toolsBench } from './tools.bench.ts';
import { tourBench } from './tour.bench.ts';
import { historyStorageBench } from './history.storage.bench.ts';
import { historyBackendsBench } from './history.backends.bench.ts';
import { ingestBench } from './ingest.bench.ts';
import { firstFrameBench } from './firstFrame.bench.ts';
import { scaleClientBench } from './scale.client.bench.ts';
import { wireColumnsBench } from './wire.columns.bench.ts';
import { generateDataset, toDistrict, validate, writeDataset } from './syntheticDistrict.ts';
import { log, printTable, type Row } from './stats.ts';
import { wireBench } from './wire.bench.ts';
import { scaleBench } from './scale.bench.ts';
import { fanoutBench } from './fanout.bench.ts';

const SCALES = [10_000, 50_000];
const REPORT = path.join(REPO_ROOT, 'var', 'bench', 'report.json');

function parseOnly(argv: readonly string[]): Set<number> {
  const i = argv.indexOf('--only');
  const value = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--only='))?.slice(7);
    if (!value) return new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  return new Set(value.split(',').map((s) => Number(s.trim())));
}

interface Section {
  name: string;
  covers: number[];
  run: () => Promise<{ rows: Row[]; raw: unknown }> | { rows: Row[]; raw: unknown };
}

async function main(): Promise<number> {
  const only = parseOnly(process.argv.slice(2));
  const started = performance.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-bench-'));
  const datasetRoot = path.join(REPO_ROOT, 'data');

  log('loading the real district and generating synthetic ones');
  const real = await loadDistrict(datasetRoot);
  const realLabel = `real district (${real.buildings.length})`;
  const synthetic: Array<{ label: string; district: District; dir: string }> = [];
  for (const n of SCALES) {
    const ds = generateDataset(real, n);
    validate(ds);
    const dir = path.join(tmp, `dataset-${n}`);
    writeDataset(dir, ds);
    synthetic.push({ label: `${n.toLocaleString('en-US')} buildings (synthetic)`, district: toDistrict(ds), dir });
  }

  let clientDir: string | null = null;
  const client = async () => (clientDir ??= await buildClient());

  const sections: Section[] = [
    {
      name: 'draw calls and tick cost (Chromium)',
      covers: [1, 2],
      run: async () => browserBench(await client(), [{ label: realLabel, district: real }, ...synthetic.map((s) => ({ label: s.label, district: s.district }))]),
    },
    { name: 'React commits per tick (Chromium, real app)', covers: [4], run: async () => commitsBench(await client()) },
    { name: 'bytes on the wire', covers: [3], run: () => wireBench([{ label: realLabel, datasetDir: datasetRoot }, ...synthetic.map((s) => ({ label: s.label, datasetDir: s.dir }))]) },
    { name: 'ingest', covers: [5], run: () => ingestBench(real) },
    { name: 'history', covers: [6], run: () => historyBench(real) },
    { name: 'server at scale', covers: [11], run: () => scaleBench(synthetic.map((s, k) => ({ label: s.label, n: SCALES[k]!, district: s.district, datasetDir: s.dir }))) },
    { name: 'fan-out', covers: [12], run: () => fanoutBench({ label: synthetic[0]!.label, datasetDir: synthetic[0]!.dir }) },
    { name: "planner's tools", covers: [10], run: () => toolsBench([{ label: realLabel, district: real }, ...synthetic.map((s) => ({ label: s.label, district: s.district }))]) },
    { name: 'history storage and read flood', covers: [6], run: () => historyStorageBench(real, 7) },
    { name: 'history: PostgreSQL beside SQLite (TEST_POSTGRES_URL)', covers: [6], run: () => historyBackendsBench(real) },
    { name: 'the /tour wall (Chromium, real server)', covers: [9], run: async () => tourBench(await client()) },
    { name: 'picking', covers: [7], run: () => pickBench([{ label: realLabel, district: real }, ...synthetic.map((s) => ({ label: s.label, district: s.district }))]) },
    {
      name: 'switch to a replayed minute',
      covers: [8],
      run: async () => {
        const parts = [await replaySwitchBench(datasetRoot, realLabel)];
        for (const s of synthetic) parts.push(await replaySwitchBench(s.dir, s.label));
        return { rows: parts.flatMap((p) => p.rows), raw: parts.map((p) => p.raw) };
      },
    },
    {
      name: 'first coloured frame (Chromium, real app)',
      covers: [13],
      run: async () => firstFrameBench(await client(), [{ label: realLabel, datasetDir: datasetRoot, reps: 3 }, ...synthetic.map((s) => ({ label: s.label, datasetDir: s.dir, reps: 3 }))]),
    },
    {
      name: 'colour pass and BatchedMesh (Chromium)',
      covers: [13, 14, 15],
      run: async () => scaleClientBench(await client(), [{ label: realLabel, district: real }, ...synthetic.map((s) => ({ label: s.label, district: s.district }))]),
    },
    { name: 'binary frame vs column JSON', covers: [16], run: () => wireColumnsBench([{ label: realLabel, datasetDir: datasetRoot }, ...synthetic.map((s) => ({ label: s.label, datasetDir: s.dir }))]) },
  ];

  const rows: Row[] = [];
  const raw: Record<string, unknown> = {};
  const timings: Record<string, number> = {};
  const errors: Record<string, string> = {};
  for (const s of sections) {
    if (!s.covers.some((c) => only.has(c))) continue;
    const t0 = performance.now();
    try {
      const out = await s.run();
      rows.push(...out.rows.filter((r) => only.has(r.section)));
      raw[s.name] = out.raw;
    } catch (err) {
      errors[s.name] = err instanceof Error ? (err.stack ?? err.message) : String(err);
      log(`FAILED: ${s.name}: ${errors[s.name]}`);
    }
    timings[s.name] = Math.round((performance.now() - t0) / 100) / 10;
  }
  rows.sort((a, b) => a.section - b.section);
  const totalS = Math.round((performance.now() - started) / 100) / 10;

  const report = {
    generatedAt: new Date().toISOString(),
    environment: { node: process.version, platform: `${os.platform()} ${os.release()}`, cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}`, memoryGB: Math.round(os.totalmem() / 1e9), chromium: chromiumVersion },
    note: 'ours vs a naive baseline measured in the same run; ratio = naive ÷ ours for costs, ours ÷ naive for throughputs. Medians and p95; nothing is asserted.',
    totalSeconds: totalS,
    sectionSeconds: timings,
    rows,
    errors,
    raw,
  };
  fs.mkdirSync(path.dirname(REPORT), { recursive: true });
  fs.writeFileSync(REPORT, `${JSON.stringify(report, null, 2)}\n`);

  console.log(printTable(rows));
  console.log('\nnotes:');
  for (const r of rows) if (r.note || r.baseline) console.log(`  [${r.section}] ${r.measure}, ${r.scope}: ${[r.baseline && `baseline: ${r.baseline}`, r.note].filter(Boolean).join('; ')}`);
  console.log(`\n${Object.entries(timings).map(([k, v]) => `${k} ${v} s`).join(' · ')} · total ${totalS} s`);
  console.log(`report: ${path.relative(REPO_ROOT, REPORT)}`);

  if (clientDir) fs.rmSync(clientDir, { recursive: true, force: true });
  fs.rmSync(tmp, { recursive: true, force: true });
  if (Object.keys(errors).length > 0) {
    console.error(`failed sections: ${Object.keys(errors).join(', ')}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
