/**
 * `/api/v1/district/footprints` (binary, models/footprints.codec.ts) and `/api/v1/district?footprints=omit`, from a
 * real server: together they are the district `/api/v1/district` serves; both compressed with an ETag; a bad query
 * parameter is refused naming it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorResponse } from '@models/api.ts';
import type { District } from '@models/district.ts';
import { decodeFootprints } from '@models/footprints.codec.ts';
import { createApp, type App } from '../../server/src/app.ts';
import { testOptions } from '../../server/src/config.ts';

let app: App;
let url: string;

beforeAll(async () => {
  app = await createApp(testOptions({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-fp-')) }));
  url = await app.listen();
});

afterAll(async () => {
  await app?.close();
});

describe('district footprints', () => {
  it('the JSON without footprints plus the binary footprints is the whole district', async () => {
    const whole = (await (await fetch(`${url}/api/v1/district`)).json()) as District;
    const slimRes = await fetch(`${url}/api/v1/district?footprints=omit`);
    expect(slimRes.status).toBe(200);
    const slim = (await slimRes.json()) as District;
    expect(slim.buildings.some((b) => 'footprint' in b)).toBe(false);
    const res = await fetch(`${url}/api/v1/district/footprints`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    const f = decodeFootprints(new Uint8Array(await res.arrayBuffer()));
    expect(f.datasetVersion).toBe(whole.version >>> 0);
    expect(f.count).toBe(whole.buildings.length);
    const joined = slim.buildings.map((b, i) => {
      const footprint: number[][] = [];
      for (let k = f.offsets[i]!; k < f.offsets[i + 1]!; k++) footprint.push([f.coords[k * 2]!, f.coords[k * 2 + 1]!]);
      return { ...b, footprint };
    });
    expect(joined.map((b) => JSON.stringify(b, Object.keys(b).sort()))).toEqual(whole.buildings.map((b) => JSON.stringify(b, Object.keys(b).sort())));
    expect({ ...slim, buildings: [] }).toEqual({ ...whole, buildings: [] });
  });

  it('goes out compressed with an ETag per encoding and answers a conditional request with 304', async () => {
    for (const u of [`${url}/api/v1/district/footprints`, `${url}/api/v1/district?footprints=omit`]) {
      const res = await fetch(u, { headers: { 'accept-encoding': 'gzip' } });
      expect(res.headers.get('content-encoding'), u).toBe('gzip');
      const etag = res.headers.get('etag');
      expect(etag, u).toMatch(/^".+-gzip"$/);
      await res.arrayBuffer();
      expect((await fetch(u, { headers: { 'if-none-match': etag! } })).status, u).toBe(304);
    }
    // the three payloads have different tags (a cache never takes one for another)
    const tags = await Promise.all([`${url}/api/v1/district`, `${url}/api/v1/district?footprints=omit`, `${url}/api/v1/district/footprints`].map(async (u) => (await fetch(u)).headers.get('etag')));
    expect(new Set(tags).size).toBe(3);
  });

  it('refuses a bad or unknown query parameter, naming it', async () => {
    const bad = await fetch(`${url}/api/v1/district?footprints=maybe`);
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as ErrorResponse;
    expect(body.error).toMatch(/bad query parameters: footprints/);
    const unknown = await fetch(`${url}/api/v1/district/footprints?scale=2`);
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as ErrorResponse).error).toMatch(/scale/);
  });
});
