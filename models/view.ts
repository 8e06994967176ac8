/**
 * The view state: everything that decides what a screen shows, serialisable, shared by the explorer (URL), the wall
 * tour, stories (data/stories/*.json) and the presenter's remote (Socket.IO). One schema, so a story step, a remote
 * command and a shared link are validated by the same rules.
 *
 * A `ViewPatch` is a partial view state: the unit every command applies (`applyViewPatch`). The client store holds a
 * full `ViewState`; named commands (selectBuilding, flyTo, setTime, …) build patches and apply them.
 *
 * URL form (`viewToQuery` / `viewFromQuery`), short keys so a link stays readable:
 *   lang=zh|en  m=<metric>  sel=b:<id>|c:<id>|co:<id>  cam=<x>,<z>,<distance>,<heading>,<tilt>
 *   t=<ISO minute>  (absent = live)  cmp=week|<ISO>  (absent = off)
 *   fc=<cluster,…>  fu=<use,…>  fi=<industry,…>  fm=1 (has registered models)  fr=<min>,<max> (metric display units)
 *   al=<rule>;<rule>  each rule: <metric>:<gt|lt>:<threshold>:<minutes>[:<cluster>]
 */
import { z } from 'zod';
import { BUILDING_USES, INDUSTRIES, Id } from './district.ts';
import { METRIC_IDS, type MetricId } from './metrics.ts';

export const LANGS = ['zh', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/** Camera pose on the ground plane (metres, x east, z south as in the scene), heading and tilt in degrees. */
export const CameraPose = z.strictObject({
  /** Point looked at, on the ground (y = 0). */
  x: z.number().finite(),
  z: z.number().finite(),
  /** Metres from the camera to the target. */
  distance: z.number().positive().max(200_000),
  /** Compass heading the camera looks towards: 0 = north, 90 = east. */
  heading: z.number().min(-360).max(360),
  /** Angle from straight down: 0 = top-down, 90 = horizon. */
  tilt: z.number().min(0).max(89),
});
export type CameraPose = z.infer<typeof CameraPose>;

export const Selection = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('building'), id: Id }),
  z.strictObject({ kind: z.literal('cluster'), id: Id }),
  z.strictObject({ kind: z.literal('company'), id: Id }),
]);
export type Selection = z.infer<typeof Selection>;

/** `live`, or a past minute of history (`atMs`, ms since epoch) playing forward at `speed` × (0 = paused). */
export const ViewMode = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('live') }),
  z.strictObject({ kind: z.literal('replay'), atMs: z.number().int().nonnegative(), speed: z.number().min(0).max(3600).default(0) }),
]);
export type ViewMode = z.infer<typeof ViewMode>;

export const Filters = z.strictObject({
  clusters: z.array(Id).max(64).default([]),
  uses: z.array(z.enum(BUILDING_USES)).default([]),
  industries: z.array(z.enum(INDUSTRIES)).default([]),
  hasRegisteredModels: z.boolean().default(false),
  /** Value range of the current metric, in its display units (e.g. % for occupancy); null = any. */
  range: z.tuple([z.number().finite(), z.number().finite()]).nullable().default(null),
});
export type Filters = z.infer<typeof Filters>;
export const NO_FILTERS: Filters = { clusters: [], uses: [], industries: [], hasRegisteredModels: false, range: null };

/** Colour by the difference from an earlier time: the same minute a week before, or a fixed time. */
export const Compare = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('off') }),
  z.strictObject({ kind: z.literal('week') }),
  z.strictObject({ kind: z.literal('at'), atMs: z.number().int().nonnegative() }),
]);
export type Compare = z.infer<typeof Compare>;

export const AlertRule = z.strictObject({
  metric: z.enum(['occupancy', 'computeLoad']),
  op: z.enum(['gt', 'lt']),
  /** In display units (%). */
  threshold: z.number().min(0).max(100),
  /** The condition must hold this long before the building is marked (0 = at once). */
  forMinutes: z.number().int().min(0).max(24 * 60),
  /** Only buildings of this cluster; absent = the whole district. */
  cluster: Id.optional(),
});
export type AlertRule = z.infer<typeof AlertRule>;

export const ViewState = z.strictObject({
  mode: ViewMode,
  metric: z.enum(METRIC_IDS),
  lang: z.enum(LANGS),
  selection: Selection.nullable(),
  /** null = the home view of the screen (it depends on the screen's aspect). */
  camera: CameraPose.nullable(),
  filters: Filters,
  compare: Compare,
  alerts: z.array(AlertRule).max(20),
});
export type ViewState = z.infer<typeof ViewState>;

/** What a command, a story step or a remote sends: any part of the view state. */
export const ViewPatch = ViewState.partial();
export type ViewPatch = z.infer<typeof ViewPatch>;

export const DEFAULT_VIEW: ViewState = {
  mode: { kind: 'live' },
  metric: 'occupancy',
  lang: 'zh',
  selection: null,
  camera: null,
  filters: NO_FILTERS,
  compare: { kind: 'off' },
  alerts: [],
};

/** A new view state with the patch applied (shallow per key: a patch's `filters` replaces all filters). */
export function applyViewPatch(view: ViewState, patch: ViewPatch): ViewState {
  const next = { ...view };
  for (const key of Object.keys(patch) as (keyof ViewState)[]) {
    if (patch[key] !== undefined) (next as Record<string, unknown>)[key] = patch[key];
  }
  return next;
}

// ---------------------------------------------------------------------------------------------------------------
// URL form

const round = (v: number, digits: number) => Number(v.toFixed(digits));
const iso = (ms: number) => new Date(ms).toISOString().replace(':00.000Z', 'Z');

function selectionToParam(s: Selection): string {
  return `${s.kind === 'building' ? 'b' : s.kind === 'cluster' ? 'c' : 'co'}:${s.id}`;
}

function alertToParam(a: AlertRule): string {
  return [a.metric, a.op, a.threshold, a.forMinutes, ...(a.cluster ? [a.cluster] : [])].join(':');
}

/** The URL query of a view state; keys at their default are left out. `lang` is always written. */
export function viewToQuery(view: ViewState): URLSearchParams {
  const q = new URLSearchParams();
  q.set('lang', view.lang);
  if (view.metric !== DEFAULT_VIEW.metric) q.set('m', view.metric);
  if (view.selection) q.set('sel', selectionToParam(view.selection));
  if (view.camera) {
    const c = view.camera;
    q.set('cam', [round(c.x, 1), round(c.z, 1), round(c.distance, 1), round(c.heading, 1), round(c.tilt, 1)].join(','));
  }
  if (view.mode.kind === 'replay') {
    q.set('t', iso(view.mode.atMs));
    if (view.mode.speed > 0) q.set('play', String(view.mode.speed));
  }
  if (view.compare.kind === 'week') q.set('cmp', 'week');
  else if (view.compare.kind === 'at') q.set('cmp', iso(view.compare.atMs));
  const f = view.filters;
  if (f.clusters.length) q.set('fc', f.clusters.join(','));
  if (f.uses.length) q.set('fu', f.uses.join(','));
  if (f.industries.length) q.set('fi', f.industries.join(','));
  if (f.hasRegisteredModels) q.set('fm', '1');
  if (f.range) q.set('fr', `${round(f.range[0], 2)},${round(f.range[1], 2)}`);
  if (view.alerts.length) q.set('al', view.alerts.map(alertToParam).join(';'));
  return q;
}

export interface ViewFromQueryResult {
  view: ViewState;
  /** One message per parameter that was present but could not be read (it was ignored, the rest applied). */
  problems: string[];
}

const list = (s: string | null) => (s ? s.split(',').filter((x) => x !== '') : []);

/**
 * Read a view state from a URL query over `base` (what the screen had: stored language, default metric). A
 * parameter that cannot be read is ignored and named in `problems`, so one bad key never loses the rest of a link.
 */
export function viewFromQuery(query: URLSearchParams | string, base: ViewState = DEFAULT_VIEW): ViewFromQueryResult {
  const q = typeof query === 'string' ? new URLSearchParams(query) : query;
  const problems: string[] = [];
  const patch: Record<string, unknown> = {};
  const take = <T>(key: string, schema: z.ZodType<T>, raw: unknown, field: keyof ViewState) => {
    const r = schema.safeParse(raw);
    if (r.success) patch[field] = r.data;
    else problems.push(`${key}=${q.get(key)}: ${r.error.issues.map((i) => `${i.path.join('.') || 'value'} ${i.message}`).join('; ')}`);
  };

  const lang = q.get('lang');
  if (lang !== null) take('lang', ViewState.shape.lang, lang, 'lang');
  const m = q.get('m') ?? q.get('metric');
  if (m !== null) take(q.has('m') ? 'm' : 'metric', ViewState.shape.metric, m, 'metric');
  const sel = q.get('sel');
  if (sel !== null) {
    const [k, ...rest] = sel.split(':');
    const kind = k === 'b' ? 'building' : k === 'c' ? 'cluster' : k === 'co' ? 'company' : k;
    take('sel', Selection, { kind, id: rest.join(':') }, 'selection');
  }
  const cam = q.get('cam');
  if (cam !== null) {
    const [x, zz, distance, heading, tilt] = cam.split(',').map(Number);
    take('cam', CameraPose, { x, z: zz, distance, heading, tilt }, 'camera');
  }
  const t = q.get('t');
  if (t !== null) {
    const atMs = Date.parse(t);
    const speed = q.has('play') ? Number(q.get('play')) : 0;
    if (Number.isNaN(atMs)) problems.push(`t=${t}: not an ISO time`);
    else take('t', ViewMode, { kind: 'replay', atMs: Math.floor(atMs / 60_000) * 60_000, speed }, 'mode');
  }
  const cmp = q.get('cmp');
  if (cmp !== null) {
    if (cmp === 'week') patch.compare = { kind: 'week' };
    else if (!Number.isNaN(Date.parse(cmp))) patch.compare = { kind: 'at', atMs: Math.floor(Date.parse(cmp) / 60_000) * 60_000 };
    else problems.push(`cmp=${cmp}: "week" or an ISO time`);
  }
  if (['fc', 'fu', 'fi', 'fm', 'fr'].some((k) => q.has(k))) {
    const fr = q.get('fr');
    const range = fr === null ? null : fr.split(',').map(Number);
    take('filters', Filters, {
      clusters: list(q.get('fc')),
      uses: list(q.get('fu')),
      industries: list(q.get('fi')),
      hasRegisteredModels: q.get('fm') === '1',
      range,
    }, 'filters');
  }
  const al = q.get('al');
  if (al !== null) {
    const rules = al.split(';').filter(Boolean).map((r) => {
      const [metric, op, threshold, forMinutes, cluster] = r.split(':');
      return { metric, op, threshold: Number(threshold), forMinutes: Number(forMinutes), ...(cluster ? { cluster } : {}) };
    });
    take('al', ViewState.shape.alerts, rules, 'alerts');
  }
  return { view: applyViewPatch(base, patch as ViewPatch), problems };
}

/** Whether two views differ in what the back button steps through (selection and time), not camera moves. */
export function isHistoryStep(a: ViewState, b: ViewState): boolean {
  const sel = (v: ViewState) => (v.selection ? selectionToParam(v.selection) : '');
  return sel(a) !== sel(b);
}

export type { MetricId };
