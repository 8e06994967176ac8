/**
 * The ONE place building colours are written. Per building, one RGBA texel:
 *   rgb = the metric's colour from models/colour.ts (viridis over METRICS[metric].domain), STALE_RGB, or NA_RGB
 *         where the metric does not apply to the building (e.g. compute load without compute tenants);
 *   a   = flags read by the building shader (FLAG_STALE → hatched, FLAG_LANDMARK, FLAG_SELECTED, FLAG_DIMMED → darkened
 *         and greyed because it does not match the planner's filters, FLAG_ALERT → matches an alert rule: its roof line
 *         and corners are drawn in ALERT_RGB; scene/AlertMarkers.tsx adds a ring above it in the same colour;
 *         FLAG_CONTEXT → outside the selected cluster: faded, so the cluster in focus stands out in its legend colours).
 * The values come from a frame source (store.ts `frameSource()`: the live buffer or a replayed minute); freshness is
 * judged on that source's clock. In compare mode (`reference` given) a live metric is coloured by its difference from
 * the reference minute on the diverging ramp (models/colour.ts DIVERGING_RGB over DIFF_DOMAIN_PP).
 * Runs whenever the source, the metric or the staleness changes; no allocation (module-level scratch).
 */
import type { District } from '@models/district.ts';
import type { MetricId } from '@models/metrics.ts';
import { METRICS } from '@models/metrics.ts';
import { NA_RGB, STALE_RGB, divergingLut, rampInto, rampLut, rampPosition } from '@models/colour.ts';
import { Q_MAX, Q_NA } from '@models/frame.codec.ts';
import type { LiveBuffer } from '../state/store.ts';

export const FLAG_STALE = 1;
export const FLAG_LANDMARK = 2;
export const FLAG_SELECTED = 4;
export const FLAG_DIMMED = 8;
export const FLAG_ALERT = 16;
/** Outside the selected cluster: faded to context (the focused cluster keeps its legend colours). */
export const FLAG_CONTEXT = 32;

/** Alert marks (the ring above a building and its roof line): a warm red apart from every ramp colour (sRGB 0..1). */
export const ALERT_RGB: readonly [number, number, number] = [1, 0.23, 0.19];

/** Per-district constants the colour pass needs, derived once per district object. */
interface BuildingTable {
  gfaM2: Float64Array;
  staticFlags: Uint8Array;
  /** Index of the building's cluster in `district.clusters` (255: none). */
  clusterIndex: Uint8Array;
}
const tables = new WeakMap<District, BuildingTable>();

function tableOf(district: District): BuildingTable {
  let t = tables.get(district);
  if (!t) {
    const n = district.buildings.length;
    t = { gfaM2: new Float64Array(n), staticFlags: new Uint8Array(n), clusterIndex: new Uint8Array(n).fill(255) };
    const clusterIndex = new Map(district.clusters.map((c, k) => [c.id, k]));
    for (let i = 0; i < n; i++) {
      const b = district.buildings[i]!;
      t.gfaM2[i] = b.gfaM2;
      t.staticFlags[i] = b.landmark ? FLAG_LANDMARK : 0;
      t.clusterIndex[i] = clusterIndex.get(b.clusterId) ?? 255;
    }
    tables.set(district, t);
  }
  return t;
}

const rgb = new Float32Array(3);

/**
 * Write one RGBA texel per building into `out` (length ≥ 4 × buildings).
 * Live metrics are stale when the building has no fresh value (Q_NONE) or when no frame has arrived for longer
 * than `staleAfterS` on the client clock (`nowMs` and `live.receivedAtMs` are both performance.now()).
 * Returns the number of buildings shown as stale.
 */
export function writeBuildingColours(
  metric: MetricId,
  live: LiveBuffer,
  district: District,
  out: Uint8Array,
  nowMs: number,
  staleAfterS: number,
  selectedIndex = -1,
  reference: LiveBuffer | null = null,
  /** 1 = matches the filters, 0 = dimmed; null = no filter on. */
  filterMask: Uint8Array | null = null,
  /** 1 = matches an alert rule (tools/alerts.ts `marked`); null = none. */
  alertMarks: Uint8Array | null = null,
  /** The selected cluster's id: every building outside it is faded to context (FLAG_CONTEXT); null = none. */
  focusCluster: string | null = null,
): number {
  const def = METRICS[metric];
  const domain = def.domain;
  const table = tableOf(district);
  const n = Math.min(live.count, district.buildings.length);
  // a replayed minute is judged on its own clock: never stale by age
  const allStale = def.live && (!live.hasFrame || (live.clock === 'live' && nowMs - live.receivedAtMs > staleAfterS * 1000));
  const q = metric === 'computeLoad' ? live.computeQ : live.occupancyQ;
  // compare applies to the live metrics (company records keep no history)
  const ref = def.live && reference && reference.hasFrame ? (metric === 'computeLoad' ? reference.computeQ : reference.occupancyQ) : null;
  // live metrics are quantised: their colour is a table read (models/colour.ts rampLut / divergingLut)
  const lut = def.live ? (ref ? divergingLut(metric) : rampLut(metric)) : null;
  let focus = -1;
  if (focusCluster !== null) for (let k = 0; k < district.clusters.length; k++) if (district.clusters[k]!.id === focusCluster) focus = k;
  let staleCount = 0;

  for (let i = 0; i < n; i++) {
    let stale = allStale;
    let notApplicable = false;
    let display = 0;
    let li = 0;
    if (!stale) {
      if (def.live) {
        const v = q[i]!;
        if (v === Q_NA) notApplicable = true;
        else if (v > Q_MAX) stale = true;
        else if (ref) {
          const r = ref[i]!;
          // no reference value that minute: no difference to show
          if (r > Q_MAX) stale = true;
          else li = (v - r + Q_MAX) * 3;
        } else li = v * 3;
      } else {
        // headcountDensity: tenants' headcount per 10,000 m² of floor area
        const gfa = table.gfaM2[i]!;
        if (!(gfa > 0)) stale = true;
        else display = ((live.headcount[i]! / gfa) * 10_000) * def.displayScale;
      }
    }
    const o = i * 4;
    let flags = table.staticFlags[i]!;
    if (stale) {
      out[o] = STALE_RGB[0];
      out[o + 1] = STALE_RGB[1];
      out[o + 2] = STALE_RGB[2];
      flags |= FLAG_STALE;
      staleCount++;
    } else if (notApplicable) {
      out[o] = NA_RGB[0];
      out[o + 1] = NA_RGB[1];
      out[o + 2] = NA_RGB[2];
    } else if (lut) {
      out[o] = lut[li]!;
      out[o + 1] = lut[li + 1]!;
      out[o + 2] = lut[li + 2]!;
    } else {
      rampInto(rampPosition(display, domain), rgb, 0);
      out[o] = Math.round(rgb[0]! * 255);
      out[o + 1] = Math.round(rgb[1]! * 255);
      out[o + 2] = Math.round(rgb[2]! * 255);
    }
    if (i === selectedIndex) flags |= FLAG_SELECTED;
    if (filterMask !== null && filterMask[i] === 0) flags |= FLAG_DIMMED;
    if (alertMarks !== null && alertMarks[i] === 1) flags |= FLAG_ALERT;
    if (focus >= 0 && table.clusterIndex[i] !== focus) flags |= FLAG_CONTEXT;
    out[o + 3] = flags;
  }
  return staleCount;
}
