import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { District } from '@models/district.ts';
import { Q_NA, Q_NONE, quantise } from '@models/frame.codec.ts';
import {
  BUILDING_CSV_HEADER,
  buildingsCsv,
  csvCell,
  exportFileName,
  indicesForCluster,
  indicesForSelection,
  indicesFromMask,
  shanghaiIso,
  toCsv,
} from '../../client/src/tools/exportCsv.ts';
import { loadDistrict } from '../../server/src/district/district.loader.ts';

const DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));

/** A minimal RFC 4180 reader, to check that what we write reads back to the same cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    else cell += ch;
  }
  return rows;
}

describe('CSV writing', () => {
  it('quotes commas, quotes and line breaks, and doubles quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(-12.5)).toBe('-12.5');
  });

  it('defuses cells a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('@cmd')).toBe("'@cmd");
  });

  it('starts with a UTF-8 byte order mark, ends lines with CRLF and reads back to the same cells', () => {
    const csv = toCsv(['名称 name', 'note'], [['西岸智塔（北塔）', 'a, "b"\nc'], ['Tank 1', null]]);
    const bytes = Buffer.from(csv, 'utf8');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(parseCsv(csv.slice(1))).toEqual([
      ['名称 name', 'note'],
      ['西岸智塔（北塔）', 'a, "b"\nc'],
      ['Tank 1', ''],
    ]);
  });

  it('writes times in Shanghai with their offset, and file names from them', () => {
    expect(shanghaiIso(Date.parse('2026-11-28T02:00:05Z'))).toBe('2026-11-28T10:00:05+08:00');
    expect(exportFileName('cluster media-port', Date.parse('2026-11-28T02:00:05Z'), 'csv')).toBe('westbund-cluster-media-port-20261128-1000.csv');
  });
});

describe('building rows of the shipped district', () => {
  let d: District;
  beforeAll(async () => {
    d = await loadDistrict(DATA_DIR);
  });

  function values(n: number) {
    const occupancyQ = new Uint8Array(n).fill(quantise(0.5));
    const computeQ = new Uint8Array(n).fill(Q_NA);
    occupancyQ[1] = Q_NONE;
    const sources = new Uint8Array(Math.ceil(n / 4));
    sources[0] = 1; // building 0: occupancy from ingest
    return { occupancyQ, computeQ, sources, headcount: new Float64Array(n).fill(12), hasFrame: true, tsMs: Date.parse('2026-11-28T02:00:00Z') };
  }

  it('exports a cluster with metadata, values, their time, status and source', () => {
    const cluster = d.clusters.find((c) => c.id === 'media-port')!;
    const indices = indicesForCluster(d, cluster.id);
    expect(indices.length).toBe(d.buildings.filter((b) => b.clusterId === cluster.id).length);
    const rows = parseCsv(buildingsCsv(d, indices, values(d.buildings.length)).slice(1));
    expect(rows[0]).toEqual([...BUILDING_CSV_HEADER]);
    expect(rows).toHaveLength(indices.length + 1);
    const col = (name: (typeof BUILDING_CSV_HEADER)[number]) => BUILDING_CSV_HEADER.indexOf(name);
    for (const [k, i] of indices.entries()) {
      const row = rows[k + 1]!;
      const b = d.buildings[i]!;
      expect(row[col('building_id')]).toBe(b.id);
      expect(row[col('name_zh')]).toBe(b.name?.zh ?? '');
      expect(row[col('cluster_zh')]).toBe(cluster.name.zh);
      expect(row[col('capacity_people')]).toBe(String(b.capacityPeople));
      expect(row[col('values_time')]).toBe('2026-11-28T10:00:00+08:00');
      expect(row[col('occupancy_pct')]).toBe('50');
      expect(row[col('occupancy_source')]).toBe('simulated');
      expect(row[col('compute_load_status')]).toBe('not applicable');
    }
  });

  it('marks ingested, missing and stale values', () => {
    const v = values(d.buildings.length);
    const rows = parseCsv(buildingsCsv(d, [0, 1], v).slice(1));
    const col = (name: (typeof BUILDING_CSV_HEADER)[number]) => BUILDING_CSV_HEADER.indexOf(name);
    expect(rows[1]![col('occupancy_source')]).toBe('ingest');
    expect(rows[2]![col('occupancy_status')]).toBe('no value');
    expect(rows[2]![col('occupancy_pct')]).toBe('');
    const stale = parseCsv(buildingsCsv(d, [0], v, true).slice(1));
    expect(stale[1]![col('occupancy_status')]).toBe('stale');
    expect(stale[1]![col('occupancy_pct')]).toBe('');
  });

  it('turns a selection or a filter mask into building indices', () => {
    const b = d.buildings[5]!;
    expect(indicesForSelection(d, { kind: 'building', id: b.id })).toEqual([5]);
    const company = d.companies[0]!;
    expect(indicesForSelection(d, { kind: 'company', id: company.id })).toEqual([d.buildings.findIndex((x) => x.id === company.buildingId)]);
    expect(indicesForSelection(d, { kind: 'cluster', id: b.clusterId })).toEqual(indicesForCluster(d, b.clusterId));
    expect(indicesForSelection(d, null)).toEqual([]);
    expect(indicesFromMask(Uint8Array.from([0, 1, 1, 0, 1]), 5)).toEqual([1, 2, 4]);
  });
});
