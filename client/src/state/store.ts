/**
 * The client's state, in two halves:
 *  - `useTwin` (zustand): what React renders — the district, language, metric, connection, simulator — which changes
 *    on user actions and on connect, never on a tick;
 *  - `live`: the transient live buffer, a plain mutable object beside the store (pmndrs/racing-game's "mutated to
 *    avoid even slight overhead"). A tick copies a frame into its preallocated arrays, bumps `version` and calls R3F
 *    `invalidate()`: no React state is touched, so a tick causes 0 React commits.
 */
import { create } from 'zustand';
import { invalidate } from '@react-three/fiber';
import type { District } from '@models/district.ts';
import type { MetricId } from '@models/metrics.ts';
import { METRIC_IDS } from '@models/metrics.ts';
import type { CompanyState, PoolState, SimulatorInfo } from '@models/api.ts';
import { FRAME_KIND, FrameError, Q_MAX, decodeHeader, frameColumns } from '@models/frame.codec.ts';

export type Lang = 'zh' | 'en';
export const LANGS: readonly Lang[] = ['zh', 'en'];

/** `connecting` before the first connection; `reconnecting` while retrying; `offline` when retrying has gone on long or the browser is offline. */
export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

const LANG_KEY = 'westbund.lang';
const METRIC_KEY = 'westbund.metric';

function initialLang(): Lang {
  if (typeof window === 'undefined') return 'zh';
  const fromUrl = new URLSearchParams(window.location.search).get('lang');
  if (fromUrl === 'zh' || fromUrl === 'en') return fromUrl;
  try {
    const stored = window.localStorage.getItem(LANG_KEY);
    if (stored === 'zh' || stored === 'en') return stored;
  } catch {
    // storage can be disabled (kiosk profiles, private mode): fall back to the default
  }
  return 'zh';
}

function initialMetric(): MetricId {
  if (typeof window === 'undefined') return 'occupancy';
  const fromUrl = new URLSearchParams(window.location.search).get('metric');
  if (fromUrl && (METRIC_IDS as readonly string[]).includes(fromUrl)) return fromUrl as MetricId;
  try {
    const stored = window.localStorage.getItem(METRIC_KEY);
    if (stored && (METRIC_IDS as readonly string[]).includes(stored)) return stored as MetricId;
  } catch {
    // see initialLang
  }
  return 'occupancy';
}

export interface TwinState {
  district: District | null;
  /** Set while the district cannot be fetched (the fetch keeps retrying). */
  districtError: string | null;
  lang: Lang;
  metric: MetricId;
  connection: ConnectionStatus;
  /** performance.now() of the last disconnect, for "offline after a while". */
  disconnectedAtMs: number | null;
  simulator: SimulatorInfo | null;
  staleAfterS: number;
  tickMs: number;
  /** Whether any building's current value comes from the simulator (frame source bits), or the simulator is on. */
  simulatedInView: boolean;
  /** Share of buildings with a live value that comes from the simulator, 0..1 (changes are coarse: see applyFrame). */
  simulatedShare: number;
  selectedBuildingId: string | null;
  pools: PoolState[];

  setLang(lang: Lang): void;
  setMetric(metric: MetricId): void;
  select(buildingId: string | null): void;
}

export const useTwin = create<TwinState>()((set) => ({
  district: null,
  districtError: null,
  lang: initialLang(),
  metric: initialMetric(),
  connection: 'connecting',
  disconnectedAtMs: null,
  simulator: null,
  staleAfterS: 10,
  tickMs: 1000,
  simulatedInView: false,
  simulatedShare: 0,
  selectedBuildingId: null,
  pools: [],

  setLang(lang) {
    try {
      window.localStorage.setItem(LANG_KEY, lang);
    } catch {
      // see initialLang
    }
    // keep a shared link in the chosen language
    const url = new URL(window.location.href);
    if (url.searchParams.has('lang')) {
      url.searchParams.set('lang', lang);
      window.history.replaceState(window.history.state, '', url);
    }
    set({ lang });
  },
  setMetric(metric) {
    try {
      window.localStorage.setItem(METRIC_KEY, metric);
    } catch {
      // see initialLang
    }
    set({ metric });
    invalidate();
  },
  select(buildingId) {
    set({ selectedBuildingId: buildingId });
    invalidate();
  },
}));

// ---------------------------------------------------------------------------------------------------------------
// The transient live buffer

export interface LiveBuffer {
  /** Buildings in the loaded district; the arrays below are sized for it. */
  count: number;
  /** District.version the arrays belong to (0 before a district is loaded). */
  datasetVersion: number;
  /** Quantised occupancy by building index (frame.codec.ts; Q_NONE = no fresh value). */
  occupancyQ: Uint8Array;
  computeQ: Uint8Array;
  /** Source bits, 2 per building, exactly as in the frame. */
  sources: Uint8Array;
  /** Tenants' headcount by building index, from the data file overridden by company state (snapshot/updates). */
  headcount: Float64Array;
  hasFrame: boolean;
  /** Time the values describe (server clock, ms since epoch). */
  tsMs: number;
  seq: number;
  /** performance.now() when the last frame arrived: staleness is judged on the client clock. */
  receivedAtMs: number;
  /** Buildings whose occupancy value came from the simulator / from ingest in the last frame. */
  simulatedCount: number;
  ingestCount: number;
  /** Bumped by every change that can alter a building's colour. */
  version: number;
}

export const live: LiveBuffer = {
  count: 0,
  datasetVersion: 0,
  occupancyQ: new Uint8Array(0),
  computeQ: new Uint8Array(0),
  sources: new Uint8Array(0),
  headcount: new Float64Array(0),
  hasFrame: false,
  tsMs: 0,
  seq: 0,
  receivedAtMs: 0,
  simulatedCount: 0,
  ingestCount: 0,
  version: 0,
};

// Company → building bookkeeping for the derived headcount metric (changes are rare; recomputed in full, O(companies)).
const companyIndexById = new Map<string, number>();
let companyBuilding = new Int32Array(0);
let companyHeadcount = new Float64Array(0);
const buildingIndexById = new Map<string, number>();

/** Size the live buffer for a (new) district. Everything is allocated here, once per district, never per tick. */
export function allocateLive(district: District): void {
  const n = district.buildings.length;
  live.count = n;
  live.datasetVersion = district.version;
  live.occupancyQ = new Uint8Array(n).fill(255);
  live.computeQ = new Uint8Array(n).fill(255);
  live.sources = new Uint8Array(Math.ceil(n / 4));
  live.headcount = new Float64Array(n);
  live.hasFrame = false;
  live.tsMs = 0;
  live.seq = 0;
  live.receivedAtMs = 0;
  live.simulatedCount = 0;
  live.ingestCount = 0;

  buildingIndexById.clear();
  district.buildings.forEach((b, i) => buildingIndexById.set(b.id, i));
  companyIndexById.clear();
  companyBuilding = new Int32Array(district.companies.length);
  companyHeadcount = new Float64Array(district.companies.length);
  district.companies.forEach((c, i) => {
    companyIndexById.set(c.id, i);
    companyBuilding[i] = buildingIndexById.get(c.buildingId) ?? -1;
    companyHeadcount[i] = c.headcount;
  });
  recomputeHeadcount();
  live.version++;
}

function recomputeHeadcount(): void {
  const hc = live.headcount;
  hc.fill(0);
  for (let i = 0; i < companyBuilding.length; i++) {
    const b = companyBuilding[i]!;
    if (b >= 0) hc[b]! += companyHeadcount[i]!;
  }
}

/** Company state from the snapshot or `companies:update` overrides the data file. */
export function applyCompanyStates(states: readonly CompanyState[]): void {
  if (live.count === 0) return;
  let changed = false;
  for (const s of states) {
    const i = companyIndexById.get(s.companyId);
    if (i === undefined) continue;
    const b = s.buildingId === null ? -1 : (buildingIndexById.get(s.buildingId) ?? -1);
    if (companyBuilding[i] !== b || companyHeadcount[i] !== s.headcount) {
      companyBuilding[i] = b;
      companyHeadcount[i] = s.headcount;
      changed = true;
    }
  }
  if (!changed) return;
  recomputeHeadcount();
  live.version++;
  invalidate();
}

export type FrameResult = 'applied' | 'version-mismatch' | 'no-district' | 'rejected';

/**
 * The tick path: validate the header, copy the columns into the preallocated arrays, bump the version, ask R3F for
 * one frame. Nothing per building is allocated; the codec's header object and three column views are the only garbage.
 */
export function applyFrame(frame: ArrayBuffer | ArrayBufferView, receivedAtMs: number = performance.now()): FrameResult {
  if (live.count === 0) return 'no-district';
  let header;
  try {
    header = decodeHeader(frame);
  } catch (err) {
    if (err instanceof FrameError) {
      console.warn('[twin] frame rejected:', err.message);
      return 'rejected';
    }
    throw err;
  }
  if (header.datasetVersion !== live.datasetVersion) return 'version-mismatch';
  if (header.count !== live.count) {
    console.warn(`[twin] frame for ${header.count} buildings, district has ${live.count}`);
    return 'rejected';
  }
  // Replay frames (a past minute) answer a history request; they never overwrite the live picture.
  if (header.kind !== FRAME_KIND.live) return 'rejected';

  const cols = frameColumns(frame, header.count);
  live.occupancyQ.set(cols.occupancyQ);
  live.computeQ.set(cols.computeQ);
  live.sources.set(cols.sources);
  live.tsMs = header.tsMs;
  live.seq = header.seq;
  live.receivedAtMs = receivedAtMs;
  live.hasFrame = true;

  let ingest = 0;
  let simulated = 0;
  const occ = live.occupancyQ;
  const src = live.sources;
  for (let i = 0; i < live.count; i++) {
    if (occ[i]! > Q_MAX) continue;
    if ((src[i >> 2]! >> ((i & 3) * 2)) & 1) ingest++;
    else simulated++;
  }
  live.ingestCount = ingest;
  live.simulatedCount = simulated;
  live.version++;
  invalidate();
  syncSimulatedBadge();
  return 'applied';
}

/** Touches React state only when the badge's answer changes (rarely), so a steady tick commits nothing. */
function syncSimulatedBadge(): void {
  const withValue = live.simulatedCount + live.ingestCount;
  // quantise the share to 5 % steps so a fluctuating mix does not commit on every tick
  const share = withValue === 0 ? 0 : Math.round((live.simulatedCount / withValue) * 20) / 20;
  const s = useTwin.getState();
  const inView = (s.simulator !== null && s.simulator.mode !== 'off') || live.simulatedCount > 0;
  if (s.simulatedInView !== inView || s.simulatedShare !== share) useTwin.setState({ simulatedInView: inView, simulatedShare: share });
}

export function setSimulator(simulator: SimulatorInfo, staleAfterS: number, tickMs: number): void {
  useTwin.setState({ simulator, staleAfterS, tickMs });
  syncSimulatedBadge();
  invalidate();
}

export function setDistrict(district: District): void {
  allocateLive(district);
  const selected = useTwin.getState().selectedBuildingId;
  useTwin.setState({
    district,
    districtError: null,
    selectedBuildingId: selected && buildingIndexById.has(selected) ? selected : null,
  });
  invalidate();
}

export function buildingIndexOf(id: string): number {
  return buildingIndexById.get(id) ?? -1;
}

/** Whether the live values as a whole are stale on the client clock (no frame for longer than staleAfterS). */
export function liveIsStale(nowMs: number, staleAfterS: number): boolean {
  return !live.hasFrame || nowMs - live.receivedAtMs > staleAfterS * 1000;
}
