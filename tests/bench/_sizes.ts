import zlib from 'node:zlib';
import { loadDistrict } from '../../server/src/district/district.loader.ts';
import { encodeFootprints } from '@models/footprints.codec.ts';
for (const dir of ['/work/wt-firstframe/data', '/tmp/ff/d10k', '/tmp/ff/d50k']) {
  const d = await loadDistrict(dir);
  const fp = encodeFootprints(d);
  const full = Buffer.from(JSON.stringify(d));
  const slim = Buffer.from(JSON.stringify({ ...d, buildings: d.buildings.map(({ footprint: _f, ...b }) => b) }));
  const br = (b: Uint8Array) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: b.length < 2 * 1024 * 1024 ? 11 : 6 } }).length;
  console.log(d.buildings.length, { full: full.length, fullBr: br(full), slim: slim.length, slimBr: br(slim), fp: fp.length, fpBr: br(fp) });
}
