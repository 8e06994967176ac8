/**
 * The client's state, in two halves:
 *  - `useTwin` (zustand): what React renders — the district, the view state (`view`: mode, metric, language,
 *    selection, camera, filters, compare, alerts; models/view.ts), connection, simulator — which changes on user
 *    actions and on connect, never on a tick. Everything that changes the view goes through the ONE `actions` object
 *    (pmndrs/racing-game style): `useTwin.getState().actions.selectBuilding(id)`, or `useTwin((s) => s.actions)`;
 *    select narrowly (`useTwin((s) => s.view.lang)`) so a component re-renders only for what it shows;
 *  - `live`: the transient live buffer, a plain mutable object beside the store (pmndrs/racing-game's "mutated to
 *    avoid even slight overhead"). A tick copies a frame into its preallocated arrays, bumps `version` and calls R3F
 *    `invalidate()`: no React state is touched, so a tick causes 0 React commits. `replayBuffer` (a replayed minute)
 *    and `compareBuffer` (compare mode's reference minute) have the same shape; `frameSource()` picks what the scene
 *    colours from.
 */
import { create } from 'zustand';
import { invalidate } from '@react-three/fiber';
import type { District } from '@models/district.ts';
import type { MetricId } from '@models/metrics.ts';
import type { CompanyState, PoolState, SimulatorInfo } from '@models/api.ts';
import { FRAME_KIND, FrameError, Q_MAX, decodeHeader, frameColumns } from '@models/frame.codec.ts';
import { DEFAULT_VIEW, ViewPatch, applyViewPatch, type AlertRule, type CameraPose, type Compare, type Filters, type Lang, type ViewState } from '@models/view.ts';

export type { Lang } from '@models/view.ts';
export { LANGS } from '@models/view.ts';

/** `connecting` before the first connection; `reconnecting` while retrying; `offline` when retrying has gone on long or the browser is offline. */
export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

export const LANG_KEY = 'westbund.lang';

/** The language a screen starts in before its URL is read: the one remembered in this browser, else Chinese. */
export function storedLang(): Lang {
  if (typeof window === 'undefined') return 'zh';
  try {
    const stored = window.localStorage.getItem(LANG_KEY);
    if (stored === 'zh' || stored === 'en') return stored;
  } catch {
    // storage can be disabled (kiosk profiles, private mode): fall back to the default
  }
  return 'zh';
}

/** How a replayed minute is coming along (the banner and the bench read this; the scene reads the replay buffer). */
export interface ReplayStatus {
  /** The minute asked for last (ms), null in live mode. */
  requestedMs: number | null;
  /** The minute whose values are in the replay buffer now, null before the first answer. */
  shownMs: number | null;
  loading: boolean;
  error: string | null;
}

/** Every command that changes what is on screen. One object, created once: `useTwin((s) => s.actions)` never re-renders. */
export interface ViewActions {
  /** Apply any part of the view state (a URL, a story step, a remote command). Unknown or invalid input is refused with the reason. */
  applyPatch(patch: ViewPatch): { ok: true } | { ok: false; error: string };
  /** Select a building (outlined, panel open, camera eases to it); null clears. */
  selectBuilding(id: string | null): void;
  /** Select a cluster (the camera flies to it). */
  selectCluster(id: string): void;
  clearSelection(): void;
  /** Fly the camera to a pose; null = the screen's home view. */
  flyTo(pose: CameraPose | null): void;
  /** The camera rig reports where the user left the camera (no flight follows). */
  setCameraFromUser(pose: CameraPose): void;
  /** Same target, distance and tilt; heading north. */
  northUp(): void;
  /** Fly back to the home view (same as flyTo(null)). */
  resetView(): void;
  setMetric(metric: MetricId): void;
  setLang(lang: Lang): void;
  /** Show a past minute (ms since epoch, floored to the minute), paused; 'live' goes back to live. */
  setTime(at: number | 'live'): void;
  /** Play the replay forward at `speed` × wall time (0 pauses). Only in replay mode; live ignores it. */
  play(speed: number): void;
  setFilters(filters: Filters): void;
  setCompare(compare: Compare): void;
  setAlerts(alerts: AlertRule[]): void;
}

export interface TwinState {
  district: District | null;
  /** Set while the district cannot be fetched (the fetch keeps retrying). */
  districtError: string | null;
  /** The view state (models/view.ts): what this screen shows. Changed only through `actions`. */
  view: ViewState;
  actions: ViewActions;
  /**
   * Counts "reset view" commands. The camera rig flies home on each, even when the view's pose is already the home
   * pose (null): a user's zoom is written back only once the camera settles, so a reset right after it would
   * otherwise change nothing in the view and the camera would stay where the user left it.
   */
  cameraResets: number;
  connection: ConnectionStatus;
  /** performance.now() of the last disconnect, for "offline after a while". */
  disconnectedAtMs: number | null;
  simulator: SimulatorInfo | null;
  staleAfterS: number;
  tickMs: number;
  /** Days of history the server keeps (HISTORY_DAYS): the scrubber's range. */
  historyDays: number;
  /** Server wall clock minus this browser's (ms), from the snapshot: the scrubber's "now". */
  serverClockOffsetMs: number;
  /** Whether any building's current value comes from the simulator (frame source bits), or the simulator is on. */
  simulatedInView: boolean;
  /** Share of buildings with a live value that comes from the simulator, 0..1 (changes are coarse: see applyFrame). */
  simulatedShare: number;
  pools: PoolState[];
  replay: ReplayStatus;
}

const MINUTE_MS = 60_000;
const floorMinute = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

/**
 * Camera helpers the rig installs while mounted (the store cannot see the scene): the pose now, and the pose that
 * frames a building or a cluster from the current heading and tilt.
 */
export const cameraBridge = {
  currentPose: (): CameraPose | null => null,
  poseForBuilding: (_id: string): CameraPose | null => null,
  poseForCluster: (_id: string): CameraPose | null => null,
};

function describeIssues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `${i.path.map(String).join('.') || 'patch'}: ${i.message}`).join('; ');
}

export const useTwin = create<TwinState>()((set, get) => {
  /** The one writer of `view`. Every action ends here. */
  const patchView = (patch: ViewPatch) => {
    const prev = get().view;
    const next = applyViewPatch(prev, patch);
    set({ view: next });
    if (next.lang !== prev.lang) {
      try {
        window.localStorage.setItem(LANG_KEY, next.lang);
      } catch {
        // see storedLang
      }
    }
    invalidate();
  };

  const actions: ViewActions = {
    applyPatch(patch) {
      const r = ViewPatch.safeParse(patch);
      if (!r.success) return { ok: false, error: describeIssues(r.error) };
      patchView(r.data);
      return { ok: true };
    },
    selectBuilding(id) {
      if (id === null) return patchView({ selection: null });
      const pose = cameraBridge.poseForBuilding(id);
      patchView({ selection: { kind: 'building', id }, ...(pose ? { camera: pose } : {}) });
    },
    selectCluster(id) {
      const pose = cameraBridge.poseForCluster(id);
      patchView({ selection: { kind: 'cluster', id }, ...(pose ? { camera: pose } : {}) });
    },
    clearSelection() {
      patchView({ selection: null });
    },
    flyTo(pose) {
      // a fresh object, so the rig sees a command even when the same pose is asked for twice
      patchView({ camera: pose ? { ...pose } : null });
    },
    setCameraFromUser(pose) {
      patchView({ camera: pose });
    },
    northUp() {
      const pose = get().view.camera ?? cameraBridge.currentPose();
      if (pose) patchView({ camera: { ...pose, heading: 0 } });
    },
    resetView() {
      patchView({ camera: null });
      set({ cameraResets: get().cameraResets + 1 });
    },
    setMetric(metric) {
      patchView({ metric });
    },
    setLang(lang) {
      patchView({ lang });
    },
    setTime(at) {
      if (at === 'live') return patchView({ mode: { kind: 'live' } });
      const mode = get().view.mode;
      patchView({ mode: { kind: 'replay', atMs: floorMinute(Math.max(0, at)), speed: mode.kind === 'replay' ? mode.speed : 0 } });
    },
    play(speed) {
      const mode = get().view.mode;
      if (mode.kind !== 'replay') return;
      patchView({ mode: { ...mode, speed: Math.max(0, Math.min(3600, speed)) } });
    },
    setFilters(filters) {
      patchView({ filters });
    },
    setCompare(compare) {
      patchView({ compare });
    },
    setAlerts(alerts) {
      patchView({ alerts });
    },
  };

  return {
    district: null,
    districtError: null,
    view: { ...DEFAULT_VIEW, lang: storedLang() },
    cameraResets: 0,
    actions,
    connection: 'connecting',
    disconnectedAtMs: null,
    simulator: null,
    staleAfterS: 10,
    tickMs: 1000,
    historyDays: 0,
    serverClockOffsetMs: 0,
    simulatedInView: false,
    simulatedShare: 0,
    pools: [],
    replay: { requestedMs: null, shownMs: null, loading: false, error: null },
  };
});

/** The current view state, for code outside React (render loop, sockets). */
export const viewNow = (): ViewState => useTwin.getState().view;

// ---------------------------------------------------------------------------------------------------------------
// The transient live buffer

export interface LiveBuffer {
  /**
   * Whose clock judges freshness: `live` values older than staleAfterS (client clock) are stale; a `replay` buffer
   * holds one past minute and is never stale by age (a building without a value that minute is still "no data").
   */
  clock: 'live' | 'replay';
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

function emptyBuffer(clock: LiveBuffer['clock']): LiveBuffer {
  return {
    clock,
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
}

/** A replayed minute (view.mode = replay), and the reference minute of compare mode. Same shape as `live`. */
export const replayBuffer: LiveBuffer = emptyBuffer('replay');
export const compareBuffer: LiveBuffer = emptyBuffer('replay');

/** The frame source the scene colours from: the live stream, or the replayed minute. */
export function frameSource(): LiveBuffer {
  return useTwin.getState().view.mode.kind === 'replay' ? replayBuffer : live;
}

export const live: LiveBuffer = emptyBuffer('live');

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
  for (const b of [replayBuffer, compareBuffer]) {
    b.count = n;
    b.datasetVersion = district.version;
    b.occupancyQ = new Uint8Array(n).fill(255);
    b.computeQ = new Uint8Array(n).fill(255);
    b.sources = new Uint8Array(Math.ceil(n / 4));
    b.headcount = live.headcount;
    b.hasFrame = false;
    b.version++;
  }

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
  companyStates.clear();
}

/** The latest company state by id (snapshot and updates), for the inspect panel. */
const companyStates = new Map<string, CompanyState>();
export function companyStateOf(id: string): CompanyState | undefined {
  return companyStates.get(id);
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
    companyStates.set(s.companyId, s);
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
 * Called after every applied LIVE frame, with the live buffer (never for replayed minutes): the planner's alert rules
 * are evaluated here (state/toolRuntime.ts). Listeners must not allocate per building nor touch React state per tick.
 */
export const liveFrameListeners: Array<(buffer: LiveBuffer) => void> = [];

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
  // in replay the scene shows another buffer: a live tick then draws nothing
  if (useTwin.getState().view.mode.kind === 'live') invalidate();
  for (const listener of liveFrameListeners) listener(live);
  syncSimulatedBadge();
  return 'applied';
}

/**
 * A replay frame (a past minute, from `history:minute`) into the replay or the compare buffer. Same checks as a live
 * frame; a live frame is refused here as a replay frame is refused by applyFrame, so the two can never be mixed up.
 */
export function applyReplayFrame(frame: ArrayBuffer | ArrayBufferView, target: LiveBuffer = replayBuffer): FrameResult {
  if (target.count === 0) return 'no-district';
  let header;
  try {
    header = decodeHeader(frame);
  } catch (err) {
    if (err instanceof FrameError) return 'rejected';
    throw err;
  }
  if (header.datasetVersion !== target.datasetVersion) return 'version-mismatch';
  if (header.count !== target.count || header.kind !== FRAME_KIND.replay) return 'rejected';
  const cols = frameColumns(frame, header.count);
  target.occupancyQ.set(cols.occupancyQ);
  target.computeQ.set(cols.computeQ);
  target.sources.set(cols.sources);
  target.tsMs = header.tsMs;
  target.seq = header.seq;
  target.receivedAtMs = performance.now();
  target.hasFrame = true;
  let ingest = 0;
  let simulated = 0;
  for (let i = 0; i < target.count; i++) {
    if (target.occupancyQ[i]! > Q_MAX) continue;
    if ((target.sources[i >> 2]! >> ((i & 3) * 2)) & 1) ingest++;
    else simulated++;
  }
  target.ingestCount = ingest;
  target.simulatedCount = simulated;
  target.version++;
  invalidate();
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

export function setSimulator(simulator: SimulatorInfo, staleAfterS: number, tickMs: number, extra: { historyDays?: number; serverTimeMs?: number } = {}): void {
  useTwin.setState({
    simulator,
    staleAfterS,
    tickMs,
    ...(extra.historyDays !== undefined ? { historyDays: extra.historyDays } : {}),
    ...(extra.serverTimeMs !== undefined ? { serverClockOffsetMs: extra.serverTimeMs - Date.now() } : {}),
  });
  syncSimulatedBadge();
  invalidate();
}

export function setDistrict(district: District): void {
  allocateLive(district);
  const { view } = useTwin.getState();
  const sel = view.selection;
  // a selection the new data set does not have is dropped (a link to a building that was removed)
  const keep =
    !sel ||
    (sel.kind === 'building' && buildingIndexById.has(sel.id)) ||
    (sel.kind === 'cluster' && district.clusters.some((c) => c.id === sel.id)) ||
    (sel.kind === 'company' && companyIndexById.has(sel.id));
  useTwin.setState({ district, districtError: null, view: keep ? view : { ...view, selection: null } });
  invalidate();
}

export function buildingIndexOf(id: string): number {
  return buildingIndexById.get(id) ?? -1;
}

/** Whether the live values as a whole are stale on the client clock (no frame for longer than staleAfterS). */
export function liveIsStale(nowMs: number, staleAfterS: number): boolean {
  return sourceIsStale(live, nowMs, staleAfterS);
}

/** Freshness against the buffer's own clock: a replayed minute is never stale by age; a live one after staleAfterS. */
export function sourceIsStale(buffer: LiveBuffer, nowMs: number, staleAfterS: number): boolean {
  if (!buffer.hasFrame) return true;
  return buffer.clock === 'live' && nowMs - buffer.receivedAtMs > staleAfterS * 1000;
}
