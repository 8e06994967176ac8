import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATA_FILES, type Building, type District, type LngLat } from '@models/district.ts';
import { centroid, project, ringAreaM2 } from '@models/geo.ts';
import { checkDistrictConsistency } from '@models/district.validate.ts';
import { DataError, jsonErrorOffset, loadDistrict } from '../../server/src/district/district.loader.ts';

const DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));

function pointInRing(p: readonly [number, number], ring: readonly LngLat[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

describe('shipped district data', () => {
  let d: District;
  const byId = (id: string): Building => {
    const b = d.buildings.find((x) => x.id === id);
    if (!b) throw new Error(`no building ${id}`);
    return b;
  };
  /** Distance in metres between a building's centroid and a WGS-84 point. */
  const metresFrom = (ring: readonly LngLat[], lat: number, lon: number): number => {
    const [x, z] = project(d.geography.origin, centroid(ring));
    const [ax, az] = project(d.geography.origin, [lon, lat]);
    return Math.hypot(x - ax, z - az);
  };

  beforeAll(async () => {
    d = await loadDistrict(DATA_DIR);
  });

  it('loads, validates and carries a stable 32-bit version', async () => {
    expect(Number.isInteger(d.version)).toBe(true);
    expect(d.version).toBeGreaterThanOrEqual(0);
    expect(d.version).toBeLessThanOrEqual(0xffff_ffff);
    expect((await loadDistrict(DATA_DIR)).version).toBe(d.version);
    expect(checkDistrictConsistency({ district: d, companies: { companies: d.companies }, suppliers: { suppliers: d.suppliers } })).toEqual([]);
  });

  it('has at least 250 buildings, sorted north to south', () => {
    expect(d.buildings.length).toBeGreaterThanOrEqual(250);
    const lats = d.buildings.map((b) => centroid(b.footprint)[1]);
    for (let i = 1; i < lats.length; i++) expect(lats[i]).toBeLessThanOrEqual(lats[i - 1]! + 1e-9);
  });

  it('covers about 9.4 km²', () => {
    const km2 = Math.abs(ringAreaM2(d.geography.origin, d.geography.boundary.polygon)) / 1e6;
    expect(km2).toBeGreaterThan(8.5);
    expect(km2).toBeLessThan(10.5);
  });

  it('has exactly the six clusters, named in Chinese and English', () => {
    expect(d.clusters.map((c) => c.id).sort()).toEqual(
      ['digital-intelligence-center', 'digital-valley', 'financial-city', 'life-science-bay', 'media-port', 'show-stage'].sort(),
    );
    const zh = Object.fromEntries(d.clusters.map((c) => [c.id, c.name.zh]));
    expect(zh).toEqual({
      'financial-city': '西岸金融城',
      'media-port': '西岸传媒港',
      'digital-valley': '西岸数字谷',
      'digital-intelligence-center': '西岸数智中心',
      'show-stage': '西岸热力秀场',
      'life-science-bay': '西岸生命蓝湾',
    });
    for (const c of d.clusters) {
      expect(c.name.en.length).toBeGreaterThan(0);
      expect(c.summary.zh.length).toBeGreaterThan(0);
      expect(c.summary.en.length).toBeGreaterThan(0);
      expect(pointInRing(c.labelAt, c.zone)).toBe(true);
    }
    // north → south order of the zones as the facts give it
    const lat = (id: string): number => centroid(d.clusters.find((c) => c.id === id)!.zone)[1];
    expect(lat('financial-city')).toBeGreaterThan(lat('media-port'));
    expect(lat('media-port')).toBeGreaterThan(lat('digital-intelligence-center'));
    expect(lat('digital-intelligence-center')).toBeGreaterThan(lat('show-stage'));
    expect(lat('show-stage')).toBeGreaterThan(lat('life-science-bay'));
  });

  it('has the landmarks with their sourced figures', () => {
    const north = byId('ai-tower-north');
    const south = byId('ai-tower-south');
    expect([north.heightM, south.heightM].sort()).toEqual([200, 230]);
    expect(north.gfaM2 + south.gfaM2).toBe(513_000);
    expect(north.name?.zh).toContain('西岸智塔');
    expect(north.clusterId).toBe('digital-valley');

    const plaza = byId('ai-plaza');
    expect(plaza.gfaM2).toBe(75_000);
    expect(plaza.floors).toBe(8);

    const cmg = d.buildings.filter((b) => b.id.startsWith('media-port-cmg-'));
    expect(cmg.length).toBeGreaterThanOrEqual(1);
    expect(cmg.reduce((s, b) => s + b.gfaM2, 0)).toBe(265_000);
    expect(cmg.every((b) => b.clusterId === 'media-port')).toBe(true);

    const mangoo = [1, 2, 3].map((i) => byId(`mangoo-hub-${i}`));
    expect(mangoo.map((b) => b.heightM)).toEqual([100, 60, 40]);
    expect(mangoo[0]!.floors).toBe(21);
    expect(mangoo[1]!.floors).toBe(12);
    expect(mangoo.reduce((s, b) => s + b.gfaM2, 0)).toBe(79_692);

    const mosu = byId('mosu-space');
    expect(mosu.name).toEqual({ zh: '模速空间', en: 'ModelSpeed Space (Shanghai Foundation Model Innovation Center)' });
    expect(mosu.address).toContain('龙台路180号');
    expect(mosu.clusterId).toBe('media-port');

    const base = byId('shanghai-ai-lab-base');
    expect(base.heightM).toBe(98.7);
    expect(base.floors).toBe(17);
    expect(base.gfaM2).toBe(176_000);

    const gateM = d.buildings.filter((b) => b.id.startsWith('gate-m-'));
    expect(gateM.reduce((s, b) => s + b.gfaM2, 0)).toBe(162_000);
    expect(gateM.every((b) => b.address === '龙腾大道2266号' && b.clusterId === 'show-stage')).toBe(true);

    expect(byId('west-bund-dome').capacityPeople).toBe(2500);
    expect(byId('west-bund-grand-theatre').capacityPeople).toBe(1673 + 208);

    const hopper = byId('long-museum-coal-hopper');
    expect(hopper.heightM).toBe(8);
    expect(Math.abs(ringAreaM2(d.geography.origin, hopper.footprint))).toBeCloseTo(1100, -1);

    // museums at their published coordinates
    expect(metresFrom(byId('long-museum-west-bund').footprint, 31.1859, 121.4602)).toBeLessThan(30);
    expect(metresFrom(byId('west-bund-art-museum').footprint, 31.1696, 121.4593)).toBeLessThan(30);
    expect(metresFrom(byId('start-museum').footprint, 31.1897, 121.4657)).toBeLessThan(30);
    const tanks = d.buildings.filter((b) => b.id.startsWith('tank-shanghai-'));
    expect(tanks.length).toBeGreaterThanOrEqual(3);
    expect(metresFrom(tanks.map((t) => centroid(t.footprint)), 31.1666, 121.4594)).toBeLessThan(30);

    const landmarks = d.buildings.filter((b) => b.landmark);
    for (const b of landmarks) {
      expect(b.name, b.id).toBeDefined();
      expect(b.confidence, b.id).not.toBe('synthetic');
    }
    for (const id of ['ai-tower-north', 'ai-tower-south', 'ai-plaza', 'mangoo-hub-1', 'shanghai-ai-lab-base', 'gate-m-1', 'west-bund-dome']) {
      expect(byId(id).confidence, id).toBe('sourced');
    }
  });

  it('gives every record a source and a confidence', () => {
    const records: { source: string; confidence: string }[] = [
      d.geography.boundary,
      ...d.geography.water,
      ...d.geography.roads,
      ...d.clusters,
      ...d.buildings,
      ...d.companies,
      ...d.suppliers,
    ];
    for (const r of records) {
      expect(r.source.length).toBeGreaterThan(0);
      expect(['sourced', 'approximate', 'synthetic']).toContain(r.confidence);
    }
    // ordinary buildings and sample tenants say they are synthetic
    expect(d.buildings.filter((b) => !b.name).every((b) => b.confidence === 'synthetic')).toBe(true);
    expect(d.companies.filter((c) => c.id.startsWith('sample-co-')).every((c) => c.confidence === 'synthetic')).toBe(true);
  });

  it('has the nine compute suppliers, allocated within capacity with headroom', () => {
    expect(d.suppliers).toHaveLength(9);
    const sensetime = d.suppliers.find((s) => s.id === 'sensetime')!;
    expect(sensetime.capacityPflops).toBe(1000);
    expect(sensetime.confidence).toBe('sourced');
    expect(d.suppliers.find((s) => s.id === 'china-telecom')).toBeDefined();
    expect(d.suppliers.find((s) => s.id === 'volcano-engine')).toBeDefined();
    for (const s of d.suppliers) {
      const sum = d.companies.filter((c) => c.compute?.supplierId === s.id).reduce((t, c) => t + c.compute!.pflops, 0);
      expect(sum, s.id).toBeGreaterThan(0);
      expect(sum, s.id).toBeLessThanOrEqual(s.capacityPflops * 0.9 + 1e-9);
    }
  });

  it('puts the named companies where the facts say', () => {
    const co = (id: string) => {
      const c = d.companies.find((x) => x.id === id);
      if (!c) throw new Error(`no company ${id}`);
      return { ...c, cluster: byId(c.buildingId).clusterId };
    };
    for (const id of ['tencent', 'hunan-mango', 'cmg-yangtze-delta-hq', 'shanghai-ai-lab']) expect(co(id).cluster, id).toBe('media-port');
    for (const id of ['microsoft-research-asia-shanghai', 'alibaba', 'huawei', 'mininglamp', 'shanghai-qi-zhi-institute', 'united-imaging']) {
      expect(co(id).cluster, id).toBe('digital-valley');
    }
    expect(co('pujiang-lab').cluster).toBe('digital-intelligence-center');
    expect(co('shanghai-ai-lab').buildingId).toBe('shanghai-ai-lab-longwen');
    const mosuNamed = ['sensetime', 'infinigence', 'midu-fengchao', 'zhihui-weilai', 'minimax', 'transwarp', 'opencsg', 'jiuzhou-weilai', 'zhonggong-hulian', 'shanghai-academy-ai-for-science', 'puxin-institute', 'modelbest', 'liblib'];
    for (const id of mosuNamed) {
      const c = co(id);
      expect(c.buildingId, id).toBe('mosu-space');
      expect(c.mosu, id).toBe(true);
      expect(c.confidence, id).toBe('approximate');
    }
    expect(d.companies.filter((c) => c.mosu && c.registeredModels > 0)).toHaveLength(15);
    expect(d.companies.filter((c) => !c.mosu).every((c) => c.registeredModels === 0)).toBe(true);
  });

  it('gives every office and lab building a tenant, within its capacity', () => {
    const tenants = new Map<string, { n: number; people: number }>();
    for (const c of d.companies) {
      const t = tenants.get(c.buildingId) ?? { n: 0, people: 0 };
      t.n++;
      t.people += c.headcount;
      tenants.set(c.buildingId, t);
      const b = byId(c.buildingId);
      expect(Math.max(...c.floors), c.id).toBeLessThanOrEqual(b.floors);
    }
    for (const b of d.buildings) {
      const t = tenants.get(b.id);
      // The AI Lab's permanent base has no tenant record: the lab is listed once, at its present address (龙文路129号).
      if ((b.use === 'office' || b.use === 'lab') && b.id !== 'shanghai-ai-lab-base') {
        expect(t?.n ?? 0, b.id).toBeGreaterThanOrEqual(1);
        if (b.id !== 'mosu-space') expect(t!.n, b.id).toBeLessThanOrEqual(8);
      }
      expect(t?.people ?? 0, b.id).toBeLessThanOrEqual(b.capacityPeople);
    }
  });

  it('keeps buildings on land, inside their cluster zone', () => {
    const zones = new Map(d.clusters.map((c) => [c.id, c.zone]));
    for (const b of d.buildings) {
      const c = centroid(b.footprint);
      for (const w of d.geography.water) expect(pointInRing(c, w.polygon), `${b.id} in ${w.id}`).toBe(false);
      expect(pointInRing(c, d.geography.boundary.polygon), b.id).toBe(true);
      expect(b.footprint.every((p) => pointInRing(p, zones.get(b.clusterId)!)), b.id).toBe(true);
    }
    for (const c of d.clusters) {
      for (const w of d.geography.water) expect(c.zone.some((p) => pointInRing(p, w.polygon)), c.id).toBe(false);
    }
  });
});

describe('loadDistrict on damaged data', () => {
  const dirs: string[] = [];
  let original: Record<keyof typeof DATA_FILES, string>;

  beforeAll(async () => {
    original = {
      district: await readFile(join(DATA_DIR, DATA_FILES.district), 'utf8'),
      companies: await readFile(join(DATA_DIR, DATA_FILES.companies), 'utf8'),
      suppliers: await readFile(join(DATA_DIR, DATA_FILES.suppliers), 'utf8'),
    };
  });
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  type Json = { district: any; companies: any; suppliers: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

  /** A copy of the shipped data in a temp dir, with `damage` applied to the parsed JSON or the raw text. */
  async function damagedCopy(damage: { json?: (j: Json) => void; text?: Partial<Record<keyof Json, (t: string) => string>> }): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'west-bund-data-'));
    dirs.push(dir);
    const j: Json = {
      district: JSON.parse(original.district),
      companies: JSON.parse(original.companies),
      suppliers: JSON.parse(original.suppliers),
    };
    damage.json?.(j);
    for (const key of ['district', 'companies', 'suppliers'] as const) {
      let text = damage.json ? JSON.stringify(j[key], null, 1) : original[key];
      const edit = damage.text?.[key];
      if (edit) text = edit(text);
      await writeFile(join(dir, DATA_FILES[key]), text);
    }
    return dir;
  }

  async function rejection(dir: string): Promise<DataError> {
    const err = await loadDistrict(dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DataError);
    return err as DataError;
  }

  /** The message has a line `data/<file>: <record>: <field>: …`. */
  function expectLine(err: DataError, prefix: string, contains?: string): void {
    const lines = err.message.split('\n');
    const line = lines.find((l) => l.startsWith(prefix));
    expect(line, `no line starting with ${prefix} in:\n${err.message}`).toBeDefined();
    if (contains) expect(line).toContain(contains);
  }

  it('still loads an undamaged copy', async () => {
    const dir = await damagedCopy({ json: () => {} });
    const d = await loadDistrict(dir);
    expect(d.buildings.length).toBeGreaterThanOrEqual(250);
  });

  it('names the file, line and column of a JSON syntax error', async () => {
    const needle = '"headcount":';
    let where = { line: 0, column: 0 };
    const dir = await damagedCopy({
      text: {
        companies: (t) => {
          const lines = t.split('\n');
          const at = lines[4]!.indexOf(needle);
          lines[4] = lines[4]!.replace(needle, '"headcount" ');
          where = { line: 5, column: at + needle.length + 1 };
          return lines.join('\n');
        },
      },
    });
    const err = await rejection(dir);
    expectLine(err, `data/companies.json: line ${where.line}, column ${where.column} `, '(JSON syntax)');
    expect(err.issues[0]!.file).toBe('companies.json');
  });

  it('locates syntax errors that V8 reports without a position', () => {
    expect(jsonErrorOffset('{"a": }')).toBe(6);
    expect(jsonErrorOffset('[1,2,]')).toBe(5);
    expect(jsonErrorOffset('{"a": 1')).toBe(7);
    expect(jsonErrorOffset('{"a": tall}')).toBe(6);
    const valid = '{"a": [1, -0.5, 2e5, "x\\u0041", true, null], "b": {}}';
    expect(jsonErrorOffset(valid)).toBe(valid.length);
  });

  it('rejects a building whose height is not a number', async () => {
    let id = '';
    const dir = await damagedCopy({
      json: (j) => {
        id = j.district.buildings[12].id;
        j.district.buildings[12].heightM = 'tall';
      },
    });
    expectLine(await rejection(dir), `data/district.json: buildings[12] (id "${id}"): heightM: `);
  });

  it('rejects a record without a source', async () => {
    let id = '';
    const dir = await damagedCopy({
      json: (j) => {
        id = j.companies.companies[3].id;
        delete j.companies.companies[3].source;
      },
    });
    expectLine(await rejection(dir), `data/companies.json: companies[3] (id "${id}"): source: `);
  });

  it('rejects a company in an unknown building', async () => {
    let id = '';
    const dir = await damagedCopy({
      json: (j) => {
        id = j.companies.companies[7].id;
        j.companies.companies[7].buildingId = 'no-such-building';
      },
    });
    expectLine(await rejection(dir), `data/companies.json: companies[7] (id "${id}"): buildingId: `, 'no-such-building');
  });

  it('rejects a duplicated building id', async () => {
    let id = '';
    const dir = await damagedCopy({
      json: (j) => {
        id = j.district.buildings[19].id;
        j.district.buildings[20].id = id;
      },
    });
    const err = await rejection(dir);
    expectLine(err, `data/district.json: buildings[20] (id "${id}"): id: `, 'duplicate');
    expect(err.message).toContain('buildings[19]');
  });

  it('rejects an over-allocated compute supplier', async () => {
    const dir = await damagedCopy({
      json: (j) => {
        const c = j.companies.companies.find((x: { compute?: unknown }) => !x.compute);
        c.compute = { supplierId: 'supplier-9', pflops: 500 };
      },
    });
    const err = await rejection(dir);
    const idx = JSON.parse(original.suppliers).suppliers.findIndex((s: { id: string }) => s.id === 'supplier-9');
    expectLine(err, `data/suppliers.json: suppliers[${idx}] (id "supplier-9"): capacityPflops: `, 'over-allocated');
  });

  it('rejects an unknown extra field', async () => {
    let id = '';
    const dir = await damagedCopy({
      json: (j) => {
        id = j.district.buildings[5].id;
        j.district.buildings[5].colour = '#ff0000';
      },
    });
    expectLine(await rejection(dir), `data/district.json: buildings[5] (id "${id}"): colour: `, 'unknown field');
  });

  it('rejects an unknown compute supplier and an unknown cluster, listing both', async () => {
    let companyId = '';
    let buildingId = '';
    const dir = await damagedCopy({
      json: (j) => {
        const i = j.companies.companies.findIndex((x: { compute?: unknown }) => x.compute);
        companyId = `companies[${i}] (id "${j.companies.companies[i].id}")`;
        j.companies.companies[i].compute.supplierId = 'no-such-supplier';
        buildingId = `buildings[30] (id "${j.district.buildings[30].id}")`;
        j.district.buildings[30].clusterId = 'no-such-cluster';
      },
    });
    const err = await rejection(dir);
    expectLine(err, `data/companies.json: ${companyId}: compute.supplierId: `, 'no-such-supplier');
    expectLine(err, `data/district.json: ${buildingId}: clusterId: `, 'no-such-cluster');
    expect(err.issues).toHaveLength(2);
  });

  it('rejects a missing file, naming it', async () => {
    const dir = await damagedCopy({ json: () => {} });
    await rm(join(dir, DATA_FILES.suppliers));
    expectLine(await rejection(dir), 'data/suppliers.json: ');
  });
});
