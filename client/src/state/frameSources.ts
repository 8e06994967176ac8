/**
 * Keeps the non-live frame sources filled from history, following the view state:
 *  - replay (view.mode = replay): the district at `atMs` into `replayBuffer` (socket `history:minute`, a binary replay
 *    frame decoded by models/frame.codec.ts); playing forward at `speed` × wall time advances `atMs` through
 *    `actions.setTime`, and stops at "now";
 *  - compare (view.compare ≠ off): the reference minute (a week before the minute on screen, or a chosen time) into
 *    `compareBuffer`.
 * Requests are latest-wins: an answer for a minute no longer wanted is dropped. History is kept by the server's wall
 * clock, so "now" is this browser's clock corrected by the snapshot's server time.
 */
import { FRAME_KIND, decodeHeader } from '@models/frame.codec.ts';
import type { ViewState } from '@models/view.ts';
import { requestMinute, snapshotListeners } from '../net/socket.ts';
import { applyReplayFrame, compareBuffer, replayBuffer, useTwin, type LiveBuffer } from './store.ts';

const MINUTE_MS = 60_000;
export const WEEK_MS = 7 * 24 * 60 * MINUTE_MS;
/** How often playback advances the replayed time (wall ms). */
const PLAY_STEP_MS = 500;
/** How often compare mode checks whether live time has moved to another minute. */
const COMPARE_CHECK_MS = 5000;

const floorMinute = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

/** The server's wall clock now (ms). */
export function serverNowMs(): number {
  return Date.now() + useTwin.getState().serverClockOffsetMs;
}

/** The minute on screen: the replayed one, or the current minute in live mode. */
export function minuteOnScreen(view: ViewState): number {
  return view.mode.kind === 'replay' ? view.mode.atMs : floorMinute(serverNowMs());
}

/** The reference minute of compare mode for a view, or null when compare is off. */
export function compareMinute(view: ViewState): number | null {
  if (view.compare.kind === 'off') return null;
  if (view.compare.kind === 'at') return view.compare.atMs;
  return minuteOnScreen(view) - WEEK_MS;
}

interface Loader {
  buffer: LiveBuffer;
  /** The minute asked for last; NaN = none. */
  wanted: number;
  /** The minute in the buffer now; NaN = none. */
  loaded: number;
}

const replay: Loader = { buffer: replayBuffer, wanted: NaN, loaded: NaN };
const compare: Loader = { buffer: compareBuffer, wanted: NaN, loaded: NaN };

/** Ask for a minute into a buffer unless it is there or on its way. Resolves once the colours can be drawn (or failed). */
async function load(loader: Loader, minute: number, force = false): Promise<void> {
  if (!force && (loader.wanted === minute || (loader.loaded === minute && Number.isNaN(loader.wanted)))) return;
  loader.wanted = minute;
  const isReplay = loader === replay;
  if (isReplay) useTwin.setState((s) => ({ replay: { ...s.replay, requestedMs: minute, loading: true, error: null } }));
  try {
    const frame = await requestMinute(minute);
    if (loader.wanted !== minute) return; // superseded
    const header = decodeHeader(frame);
    if (header.kind !== FRAME_KIND.replay) throw new Error('the server answered with a live frame');
    const result = applyReplayFrame(frame, loader.buffer);
    if (result !== 'applied') throw new Error(`replay frame ${result}`);
    loader.loaded = minute;
    loader.wanted = NaN;
    if (isReplay) useTwin.setState((s) => ({ replay: { ...s.replay, shownMs: minute, loading: false, error: null } }));
  } catch (err) {
    if (loader.wanted !== minute) return;
    loader.wanted = NaN;
    if (isReplay) useTwin.setState((s) => ({ replay: { ...s.replay, loading: false, error: err instanceof Error ? err.message : String(err) } }));
    else console.warn('[twin] compare minute:', err);
  }
}

function sync(force = false): void {
  const { view, district } = useTwin.getState();
  if (!district || replayBuffer.count === 0) return;
  if (view.mode.kind === 'replay') void load(replay, view.mode.atMs, force);
  else if (useTwin.getState().replay.requestedMs !== null) {
    replay.wanted = NaN;
    useTwin.setState({ replay: { requestedMs: null, shownMs: null, loading: false, error: null } });
  }
  const ref = compareMinute(view);
  if (ref !== null) void load(compare, ref, force);
  else compare.wanted = NaN;
}

let started = false;
let lastPlayWallMs = 0;
/** Replay time played but not yet a whole minute (ms). */
let playedMs = 0;

export function startFrameSources(): void {
  if (started || typeof window === 'undefined') return;
  started = true;
  useTwin.subscribe((s, prev) => {
    if (s.district !== prev.district) {
      // a new data set: the buffers were reallocated, everything is asked for again
      replay.loaded = compare.loaded = NaN;
      replay.wanted = compare.wanted = NaN;
      sync(true);
    } else if (s.view.mode !== prev.view.mode || s.view.compare !== prev.view.compare) sync();
  });
  snapshotListeners.push(() => sync(true));

  // playback: advance the replayed minute by speed × the wall time since the last step
  window.setInterval(() => {
    const { view, actions } = useTwin.getState();
    const wall = performance.now();
    const elapsed = lastPlayWallMs ? wall - lastPlayWallMs : 0;
    lastPlayWallMs = wall;
    if (view.mode.kind !== 'replay' || view.mode.speed <= 0) {
      playedMs = 0;
      return;
    }
    // wait for the minute on screen before moving on, so a slow answer is not skipped past unseen
    if (!Number.isNaN(replay.wanted)) return;
    playedMs += elapsed * view.mode.speed;
    if (playedMs < MINUTE_MS) return;
    const minutes = Math.floor(playedMs / MINUTE_MS);
    playedMs -= minutes * MINUTE_MS;
    const next = view.mode.atMs + minutes * MINUTE_MS;
    if (next >= floorMinute(serverNowMs())) {
      playedMs = 0;
      actions.play(0);
    } else actions.setTime(next);
  }, PLAY_STEP_MS);

  // compare against a week ago follows the live minute
  window.setInterval(() => {
    const view = useTwin.getState().view;
    if (view.compare.kind === 'week' && view.mode.kind === 'live') sync();
  }, COMPARE_CHECK_MS);
}
