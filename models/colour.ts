/**
 * Every data colour in the twin comes from here. Ramp: viridis (perceptually uniform, readable with the common
 * colour-vision deficiencies, and in greyscale). Stale or missing values use a neutral grey that viridis never produces,
 * so "no fresh value" cannot be mistaken for a low one.
 */
import { interpolatePuOr, interpolateViridis } from 'd3-scale-chromatic';
import { Q_MAX } from './frame.codec.ts';
import { METRICS, type MetricId } from './metrics.ts';

export const RAMP_SIZE = 256;

function parseRgb(css: string): [number, number, number] {
  // d3 interpolators return "rgb(r, g, b)" or "#rrggbb"
  if (css.startsWith('#')) return [parseInt(css.slice(1, 3), 16), parseInt(css.slice(3, 5), 16), parseInt(css.slice(5, 7), 16)];
  const m = css.match(/(\d+),\s*(\d+),\s*(\d+)/);
  if (!m) throw new Error(`unexpected colour ${css}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** 256 RGB triplets (0..255) sampled evenly along the ramp; index 0 is the low end of the domain. */
export const RAMP_RGB: Uint8Array = (() => {
  const lut = new Uint8Array(RAMP_SIZE * 3);
  for (let i = 0; i < RAMP_SIZE; i++) {
    const [r, g, b] = parseRgb(interpolateViridis(i / (RAMP_SIZE - 1)));
    lut[i * 3] = r;
    lut[i * 3 + 1] = g;
    lut[i * 3 + 2] = b;
  }
  return lut;
})();

/** Neutral grey for stale or missing data (the scene also hatches it). */
export const STALE_RGB = [128, 128, 128] as const;
export const STALE_CSS = 'rgb(128,128,128)';

/** Position 0..1 of a display value within a domain, clamped. */
export function rampPosition(value: number, domain: readonly [number, number]): number {
  const t = (value - domain[0]) / (domain[1] - domain[0]);
  return t < 0 ? 0 : t > 1 ? 1 : t;
}

/** Write the ramp colour for position t (0..1) into out[offset..offset+2] as 0..1 floats. No allocation. */
export function rampInto(t: number, out: Float32Array | number[], offset: number): void {
  const i = Math.round((t < 0 ? 0 : t > 1 ? 1 : t) * (RAMP_SIZE - 1)) * 3;
  out[offset] = RAMP_RGB[i]! / 255;
  out[offset + 1] = RAMP_RGB[i + 1]! / 255;
  out[offset + 2] = RAMP_RGB[i + 2]! / 255;
}

export function rampCss(t: number): string {
  const i = Math.round((t < 0 ? 0 : t > 1 ? 1 : t) * (RAMP_SIZE - 1)) * 3;
  return `rgb(${RAMP_RGB[i]},${RAMP_RGB[i + 1]},${RAMP_RGB[i + 2]})`;
}

/** Not applicable (e.g. compute load where no tenant uses compute): a dark neutral, plain (not hatched). */
export const NA_RGB = [52, 58, 66] as const;
export const NA_CSS = 'rgb(52,58,66)';

/**
 * Compare mode's diverging ramp: PuOr (ColorBrewer; colour-blind safe and distinct in greyscale at its ends), orange
 * for "lower than the reference", purple for "higher", a light neutral for "no change". Index 0 = −DIFF_DOMAIN_PP.
 */
export const DIVERGING_RGB: Uint8Array = (() => {
  const lut = new Uint8Array(RAMP_SIZE * 3);
  for (let i = 0; i < RAMP_SIZE; i++) {
    const [r, g, b] = parseRgb(interpolatePuOr(i / (RAMP_SIZE - 1)));
    lut[i * 3] = r;
    lut[i * 3 + 1] = g;
    lut[i * 3 + 2] = b;
  }
  return lut;
})();

/** Compare mode's domain: a difference of ±50 percentage points spans the ramp (larger differences are clamped). */
export const DIFF_DOMAIN_PP: readonly [number, number] = [-50, 50];

export function divergingInto(t: number, out: Float32Array | number[], offset: number): void {
  const i = Math.round((t < 0 ? 0 : t > 1 ? 1 : t) * (RAMP_SIZE - 1)) * 3;
  out[offset] = DIVERGING_RGB[i]! / 255;
  out[offset + 1] = DIVERGING_RGB[i + 1]! / 255;
  out[offset + 2] = DIVERGING_RGB[i + 2]! / 255;
}

export function divergingCss(t: number): string {
  const i = Math.round((t < 0 ? 0 : t > 1 ? 1 : t) * (RAMP_SIZE - 1)) * 3;
  return `rgb(${DIVERGING_RGB[i]},${DIVERGING_RGB[i + 1]},${DIVERGING_RGB[i + 2]})`;
}

/**
 * Lookup tables for the colour pass (client/src/scene/buildingColours.ts), so its per-building work is a table read.
 * Live metrics travel quantised (models/frame.codec.ts: a byte q, value = q / Q_MAX of the metric's ratio), so there
 * are only Q_MAX + 1 possible colours: `rampLut(metric)[q * 3 …]` is the viridis colour of q, identical to
 * `rampInto(rampPosition(q / Q_MAX × displayScale, domain))` rounded to bytes. `divergingLut(metric)[(q − r + Q_MAX) * 3 …]`
 * is the compare-mode colour of value q against reference r. Built once per metric, on first use.
 */
const rampLuts = new Map<MetricId, Uint8Array>();
const divergingLuts = new Map<MetricId, Uint8Array>();

function lutFrom(table: Uint8Array, entries: number, position: (i: number) => number): Uint8Array {
  const lut = new Uint8Array(Math.max(entries, RAMP_SIZE) * 3);
  for (let i = 0; i < entries; i++) {
    const j = Math.round(position(i) * (RAMP_SIZE - 1)) * 3;
    lut[i * 3] = table[j]!;
    lut[i * 3 + 1] = table[j + 1]!;
    lut[i * 3 + 2] = table[j + 2]!;
  }
  return lut;
}

/** 256 RGB entries by quantised value q (0..Q_MAX used) for a live metric. */
export function rampLut(metric: MetricId): Uint8Array {
  let lut = rampLuts.get(metric);
  if (!lut) {
    const def = METRICS[metric];
    lut = lutFrom(RAMP_RGB, Q_MAX + 1, (q) => rampPosition((q / Q_MAX) * def.displayScale, def.domain));
    rampLuts.set(metric, lut);
  }
  return lut;
}

/** 2 × Q_MAX + 1 RGB entries by (q − reference + Q_MAX): compare mode's diverging colour for a live metric. */
export function divergingLut(metric: MetricId): Uint8Array {
  let lut = divergingLuts.get(metric);
  if (!lut) {
    const def = METRICS[metric];
    lut = lutFrom(DIVERGING_RGB, 2 * Q_MAX + 1, (d) => rampPosition(((d - Q_MAX) / Q_MAX) * def.displayScale, DIFF_DOMAIN_PP));
    divergingLuts.set(metric, lut);
  }
  return lut;
}
