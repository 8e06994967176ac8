/**
 * The strip a Shanghai visitor recognises (district-facts.md): Lupu Bridge in the north to Xupu Bridge in the south,
 * both drawn across the Huangpu, the river going on past both, the Pudong bank as context, and 模速空间's data file
 * consistent with the district.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { District, LngLat } from '@models/district.ts';
import { project } from '@models/geo.ts';
import { loadDistrict } from '../../server/src/district/district.loader.ts';
import { loadMosu } from '../../server/src/mosu/mosu.ts';

const DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));
let district: District;
beforeAll(async () => {
  district = await loadDistrict(DATA_DIR);
});

function inside(p: readonly [number, number], ring: readonly (readonly [number, number])[]): boolean {
  let c = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}
const local = (p: LngLat) => project(district.geography.origin, p);
const river = () => district.geography.water.find((w) => w.id === 'huangpu-river')!.polygon.map(local);

describe('the riverside strip', () => {
  it('draws Lupu and Xupu bridges across the Huangpu: ends on land, middle over the water, at their sourced points', () => {
    const anchors: Record<string, LngLat> = { 'lupu-bridge': [121.4758, 31.1906], 'xupu-bridge': [121.4642, 31.1292] };
    for (const [id, anchor] of Object.entries(anchors)) {
      const b = district.geography.bridges!.find((x) => x.id === id)!;
      expect(b, id).toBeDefined();
      const [a, z] = [local(b.line[0]!), local(b.line[b.line.length - 1]!)];
      expect(inside(a, river()), `${id} start on land`).toBe(false);
      expect(inside(z, river()), `${id} end on land`).toBe(false);
      const at = local(anchor);
      expect(inside(at, river()), `${id} anchor over the river`).toBe(true);
      // the anchor lies on the drawn deck (within its width)
      const [dx, dz] = [z[0] - a[0], z[1] - a[1]];
      const t = ((at[0] - a[0]) * dx + (at[1] - a[1]) * dz) / (dx * dx + dz * dz);
      const d = Math.hypot(a[0] + t * dx - at[0], a[1] + t * dz - at[1]);
      expect(d).toBeLessThan(b.widthM);
    }
  });

  it('runs ≈ 6.8 km north–south between the bridges, with the river going on more than 1 km past each', () => {
    const lupu = local([121.4758, 31.1906]);
    const xupu = local([121.4642, 31.1292]);
    expect(Math.abs(xupu[1] - lupu[1]) / 1000).toBeGreaterThan(6.5);
    expect(Math.abs(xupu[1] - lupu[1]) / 1000).toBeLessThan(7.1);
    const r = river();
    // z grows southwards in the local frame
    expect(Math.max(...r.map((p) => p[1])) - xupu[1]).toBeGreaterThan(1000);
    expect(Math.max(...r.map((p) => p[0])) - lupu[0]).toBeGreaterThan(1000);
  });

  it('shows the Pudong bank, the Expo site and Houtan Park as context across the river, each with its source', () => {
    const ctx = district.geography.context!;
    expect(ctx.map((c) => c.id).sort()).toEqual(['expo-site', 'houtan-park', 'pudong-bank']);
    const boundary = district.geography.boundary.polygon.map(local);
    for (const c of ctx) {
      expect(c.source.length).toBeGreaterThan(20);
      expect(c.confidence).toBe('approximate');
      for (const p of c.polygon.map(local)) {
        expect(inside(p, boundary), `${c.id} outside the district`).toBe(false);
        expect(inside(p, river()), `${c.id} not in the river`).toBe(false);
      }
    }
  });
});

describe('data/mosu.json', () => {
  it('loads against the district: tenants in 模速空间, links between tenants, the five platforms and the sourced figures', async () => {
    const mosu = (await loadMosu(DATA_DIR, district))!;
    expect(mosu).not.toBeNull();
    const inBuilding = district.companies.filter((c) => c.buildingId === mosu.buildingId).map((c) => c.id).sort();
    expect(mosu.tenants.map((t) => t.companyId).sort()).toEqual(inBuilding);
    expect(new Set(mosu.tenants.map((t) => t.role)).size).toBe(5);
    const value = (id: string) => mosu.facts.find((f) => f.id === id)!;
    expect(value('mosu-registrations').value).toBe(15);
    expect(value('mosu-investors').value).toBe(40);
    expect(value('mosu-aum').value).toBe(800e9);
    expect(value('mosu-served').value).toBe(43);
    expect(value('mosu-first-phase').value).toBe(20_000);
    expect(value('telecom-one-hop').value).toBe(1);
    for (const f of mosu.facts) expect(f.confidence).toBe('sourced');
  });

  it('stops the server at start-up with the record and field named when a link points at a stranger', async () => {
    const { mkdtemp, copyFile, readFile, writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'wbt-mosu-'));
    await copyFile(join(DATA_DIR, 'mosu.json'), join(dir, 'mosu.json'));
    // its figures are facts of facts.json, named by id
    await copyFile(join(DATA_DIR, 'facts.json'), join(dir, 'facts.json'));
    const json = JSON.parse(await readFile(join(dir, 'mosu.json'), 'utf8'));
    json.links[0].to = 'nobody-here';
    await writeFile(join(dir, 'mosu.json'), JSON.stringify(json));
    await expect(loadMosu(dir, district)).rejects.toThrow(/mosu\.json: links\[0\]: to: "nobody-here" is not a tenant/);
  });
});
