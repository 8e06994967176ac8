/**
 * `window.__twin`, for the browser tests (which assert on pixels). Kept current by mutation from the render loop,
 * never through React state. `ready` and `frameSeq` change one animation frame after the colours of a frame were
 * drawn, so a test that waits for them and then screenshots sees those colours.
 */
import { Vector3 } from 'three';
import type { CameraPose, ViewState } from '@models/view.ts';
import { cameraToPose } from './cameraPose.ts';
import { buildingIndexOf, useTwin } from '../state/store.ts';
import { pickAt } from './picking.ts';
import { sceneRefs } from './sceneRefs.ts';
import { markOnce } from '../perfMarks.ts';

export interface ScreenPoint {
  x: number;
  y: number;
}

export interface TwinTestHook {
  /** True once the district is rendered with the first live frame applied. */
  ready: boolean;
  /** Sequence number of the last live frame whose colours are on screen. */
  frameSeq: number;
  /** The replayed minute (ms) whose colours are on screen; null while live colours are. */
  replayMs: number | null;
  /** Bumped one animation frame after every colour pass (any reason: tick, metric, selection, replay, compare). */
  colourPasses: number;
  /** CSS-pixel position in the viewport of the middle of the building's roof; null if unknown or behind the camera. */
  screenPositionOf(buildingId: string): ScreenPoint | null;
  /** The building drawn at a CSS-pixel viewport position, or null. */
  buildingIdAt(x: number, y: number): string | null;
  /** The view state now (store.ts `view`): read only. */
  view(): ViewState;
  /** The camera's pose now, measured from the three.js camera (not from the view state). */
  cameraPose(): CameraPose | null;
}

declare global {
  interface Window {
    __twin?: TwinTestHook;
  }
}

const v = new Vector3();

export const twinHook: TwinTestHook = {
  ready: false,
  frameSeq: 0,
  replayMs: null,
  colourPasses: 0,
  screenPositionOf(buildingId) {
    const { camera, gl, buildingsGeometry } = sceneRefs;
    const i = buildingIndexOf(buildingId);
    if (!camera || !gl || !buildingsGeometry || i < 0) return null;
    const c = buildingsGeometry.roofCentres;
    camera.updateMatrixWorld();
    v.set(c[i * 3]!, c[i * 3 + 1]!, c[i * 3 + 2]!).project(camera);
    if (v.z < -1 || v.z > 1) return null;
    const rect = gl.domElement.getBoundingClientRect();
    return { x: rect.left + ((v.x + 1) / 2) * rect.width, y: rect.top + ((1 - v.y) / 2) * rect.height };
  },
  buildingIdAt(x, y) {
    // the production picker (scene/picking.ts), never a test-only path
    const i = pickAt(x, y);
    return i < 0 ? null : (useTwin.getState().district?.buildings[i]?.id ?? null);
  },
  view() {
    return useTwin.getState().view;
  },
  cameraPose() {
    const { camera } = sceneRefs;
    const target = sceneRefs.controlsTarget;
    return camera && target ? cameraToPose(camera.position, target) : null;
  },
};

if (typeof window !== 'undefined') window.__twin = twinHook;

let pendingSeq = 0;
let pendingReplay: number | null = null;
let pending = false;
function publishRendered(): void {
  pending = false;
  if (pendingSeq >= 0) twinHook.frameSeq = pendingSeq;
  twinHook.replayMs = pendingReplay;
  twinHook.colourPasses++;
  if (!twinHook.ready && (pendingSeq >= 0 || pendingReplay !== null)) {
    twinHook.ready = true;
    markOnce('twin:ready');
    document.body.dataset.ready = '1';
  }
}

/** Called from the render loop when the colours of live frame `seq` (−1: none) or replayed minute `replayMs` are about to be drawn. */
export function markFrameRendered(seq: number, replayMs: number | null = null): void {
  if (!twinHook.ready && seq >= 0) markOnce('twin:colours');
  pendingSeq = seq;
  pendingReplay = replayMs;
  if (!pending) {
    pending = true;
    requestAnimationFrame(publishRendered);
  }
}

/** A colour pass without a frame (e.g. a replayed minute still loading). */
export function markColoursWritten(): void {
  markFrameRendered(-1, null);
}
