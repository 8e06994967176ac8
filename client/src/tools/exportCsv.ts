/**
 * Export what the planner sees: a CSV of buildings (the selection, the filtered set or a cluster) with each value, the
 * time it describes and its source, and the buildings' metadata; a PNG of the view; a link to the view.
 *
 * CSV: RFC 4180 (fields with a comma, quote, CR or LF are quoted, quotes doubled; CRLF line ends), UTF-8 with a byte
 * order mark so Excel opens Chinese names correctly. Fields that a spreadsheet would run as a formula (leading = + - @,
 * tab or CR) are prefixed with an apostrophe (OWASP "CSV injection"); negative numbers are written as numbers, not text.
 */
import type { District } from '@models/district.ts';
import { Q_MAX, Q_NA } from '@models/frame.codec.ts';
import type { Selection } from '@models/view.ts';
import type { LiveValues } from './liveValues.ts';

export const CSV_BOM = '\uFEFF';

export type CsvCell = string | number | boolean | null | undefined;

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let s = value;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A whole CSV document: BOM, header, rows, CRLF line ends. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const lines = [header.map(csvCell).join(',')];
  for (const r of rows) lines.push(r.map(csvCell).join(','));
  return `${CSV_BOM}${lines.join('\r\n')}\r\n`;
}

/** "2026-11-28T10:00:05+08:00": the time in Shanghai with its offset, readable and unambiguous. */
export function shanghaiIso(tsMs: number): string {
  const d = new Date(tsMs + 8 * 3_600_000);
  return `${d.toISOString().slice(0, 19)}+08:00`;
}

// ---------------------------------------------------------------------------------------------------------------
// Which buildings

/** The buildings a selection stands for: a building, a cluster's buildings, a company's building. */
export function indicesForSelection(district: District, selection: Selection | null): number[] {
  if (!selection) return [];
  if (selection.kind === 'building') {
    const i = district.buildings.findIndex((b) => b.id === selection.id);
    return i < 0 ? [] : [i];
  }
  if (selection.kind === 'cluster') return indicesForCluster(district, selection.id);
  const company = district.companies.find((c) => c.id === selection.id);
  if (!company) return [];
  const i = district.buildings.findIndex((b) => b.id === company.buildingId);
  return i < 0 ? [] : [i];
}

export function indicesForCluster(district: District, clusterId: string): number[] {
  const out: number[] = [];
  district.buildings.forEach((b, i) => b.clusterId === clusterId && out.push(i));
  return out;
}

/** The building indices a filter mask (tools/filterMask.ts) keeps. */
export function indicesFromMask(mask: Uint8Array, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) if (mask[i]) out.push(i);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Rows

export type ExportValues = Pick<LiveValues, 'occupancyQ' | 'computeQ' | 'sources' | 'headcount' | 'hasFrame' | 'tsMs'>;

export const BUILDING_CSV_HEADER = [
  'building_id',
  'name_zh',
  'name_en',
  'cluster_id',
  'cluster_zh',
  'cluster_en',
  'use',
  'height_m',
  'floors',
  'floor_area_m2',
  'capacity_people',
  'metadata_confidence',
  'values_time',
  'occupancy_pct',
  'occupancy_status',
  'occupancy_source',
  'compute_load_pct',
  'compute_load_status',
  'compute_load_source',
  'tenants_headcount',
  'headcount_source',
] as const;

/**
 * Status of a live value: `fresh`, `stale` (the picture as a whole is older than the stale limit), `no value` (the
 * building has none) or `not applicable`. The number is written only when fresh: a stale value is not a current one.
 */
function liveCells(q: number, stale: boolean, ingest: boolean): [CsvCell, string, string] {
  if (q === Q_NA) return [null, 'not applicable', ''];
  if (q > Q_MAX) return [null, 'no value', ''];
  if (stale) return [null, 'stale', ingest ? 'ingest' : 'simulated'];
  // two decimals: one quantisation step is 0.4 %
  return [Math.round(((q * 100) / Q_MAX) * 100) / 100, 'fresh', ingest ? 'ingest' : 'simulated'];
}

/**
 * CSV of `indices` (building indices) with their metadata and live values. `values` null = no live values (metadata
 * only); `stale` = the values are older than the stale limit (their numbers are left out, the status says so).
 */
export function buildingsCsv(district: District, indices: readonly number[], values: ExportValues | null, stale = false): string {
  const clusters = new Map(district.clusters.map((c) => [c.id, c]));
  const haveFrame = values !== null && values.hasFrame;
  const time = haveFrame ? shanghaiIso(values.tsMs) : '';
  const rows = indices.map((i) => {
    const b = district.buildings[i]!;
    const c = clusters.get(b.clusterId);
    const occ = haveFrame ? liveCells(values.occupancyQ[i]!, stale, ((values.sources[i >> 2]! >> ((i & 3) * 2)) & 1) === 1) : [null, 'no value', ''];
    const cmp = haveFrame ? liveCells(values.computeQ[i]!, stale, ((values.sources[i >> 2]! >> ((i & 3) * 2 + 1)) & 1) === 1) : [null, 'no value', ''];
    return [
      b.id,
      b.name?.zh ?? '',
      b.name?.en ?? '',
      b.clusterId,
      c?.name.zh ?? '',
      c?.name.en ?? '',
      b.use,
      b.heightM,
      b.floors,
      Math.round(b.gfaM2),
      b.capacityPeople,
      b.confidence,
      time,
      ...occ,
      ...cmp,
      values ? values.headcount[i] : null,
      'company records',
    ];
  });
  return toCsv(BUILDING_CSV_HEADER, rows);
}

/** A file name such as "westbund-cluster-media-port-20261128-1000.csv" (Shanghai time). */
export function exportFileName(what: string, tsMs: number, ext: 'csv' | 'png'): string {
  const t = shanghaiIso(tsMs).slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  return `westbund-${what.replace(/[^a-z0-9-]+/gi, '-')}-${t}.${ext}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Browser side: download, PNG, link

/** Save `content` as a file through a temporary object URL. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // the download has started from the click; revoke after the current task
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function csvBlob(csv: string): Blob {
  // the string already starts with the BOM; a Blob encodes strings as UTF-8, so it becomes EF BB BF
  return new Blob([csv], { type: 'text/csv;charset=utf-8' });
}

/**
 * A PNG of a WebGL canvas.
 *
 * A WebGL drawing buffer is cleared once the frame has been composited unless the context was created with
 * `preserveDrawingBuffer: true`; reading it later gives a transparent (blank) image. Two ways to get the picture:
 *  - create the canvas with `gl={{ preserveDrawingBuffer: true }}` (R3F) and call `capturePng(canvas)`: simplest, costs
 *    some GPU memory bandwidth on every frame;
 *  - or pass `renderNow` (e.g. `() => gl.render(scene, camera)` from R3F's `useThree`): it is called right before the
 *    canvas is read, in the same task, when the buffer still holds the frame just drawn. `toBlob` snapshots the bitmap
 *    synchronously, so the encode may finish later without the buffer being cleared under it.
 * Rejects when the browser cannot encode the canvas (e.g. a tainted canvas).
 */
export function capturePng(canvas: HTMLCanvasElement, renderNow?: () => void): Promise<Blob> {
  return new Promise((resolve, reject) => {
    try {
      renderNow?.();
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the browser could not encode the view as PNG'))), 'image/png');
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

/**
 * Put `text` on the clipboard: the async Clipboard API where it is allowed (secure contexts), else a selected
 * off-screen textarea and `execCommand('copy')`. Resolves true when one of them reported success.
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (typeof navigator !== 'undefined' && navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // permission refused or not focused: try the old way
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.left = '-9999px';
  document.body.appendChild(area);
  const active = document.activeElement as HTMLElement | null;
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  active?.focus();
  return ok;
}
