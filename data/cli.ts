/**
 * `npm run data:generate`: with no arguments, regenerates the real data set (data/generate.ts, deterministic).
 * `npm run data:generate -- --buildings 50000 --out DIR [--seed N]`: writes a synthetic district of that many buildings
 * (data/synthetic.ts: the real geography, clusters and suppliers, a generated grid of buildings and tenants, every
 * record marked synthetic) into DIR, validated as the server validates at start-up; serve it with
 * `DATASET_DIR=DIR npm start`. The real data set stays the default.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadDistrict } from '../server/src/district/district.loader.ts';
import { generateDataset, toDistrict, validate, writeDataset } from './synthetic.ts';

const { values } = parseArgs({ options: { buildings: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' } }, strict: true });

if (values.buildings === undefined && values.out === undefined) {
  await import('./generate.ts');
} else {
  const n = Number(values.buildings);
  if (!Number.isInteger(n) || n < 1 || n > 200_000) throw new Error(`--buildings must be a whole number from 1 to 200000, not ${values.buildings ?? 'missing'}`);
  if (!values.out) throw new Error('--out DIR is required with --buildings (the real data set in data/ is never overwritten by a synthetic one)');
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw new Error(`--seed must be a whole number, not ${values.seed}`);
  const dataDir = fileURLToPath(new URL('.', import.meta.url));
  const out = path.resolve(values.out);
  if (out === path.resolve(dataDir)) throw new Error('--out must not be data/: that is the real data set');
  const t0 = performance.now();
  const ds = generateDataset(await loadDistrict(dataDir), n, seed);
  validate(ds);
  writeDataset(out, ds);
  const d = toDistrict(ds);
  console.log(`${n} buildings, ${d.companies.length} companies, ${d.suppliers.length} suppliers (synthetic, data-set version ${d.version.toString(16)}) written to ${out} in ${((performance.now() - t0) / 1000).toFixed(1)} s; serve with DATASET_DIR=${out} npm start`);
}
