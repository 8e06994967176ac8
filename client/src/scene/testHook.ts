/**
 * `window.__twin`, for the browser tests (which assert on pixels). Kept current by mutation from the render loop,
 * never through React state. `ready` and `frameSeq` change one animation frame after the colours of a frame were
 * drawn, so a test that waits for them and then screenshots sees those colours.
 */
import { Raycaster, Vector2, Vector3 } from 'three';
import { buildingIndexOf, useTwin } from '../state/store.ts';
import { sceneRefs } from './sceneRefs.ts';

export interface ScreenPoint {
  x: number;
  y: number;
}

export interface TwinTestHook {
  /** True once the district is rendered with the first live frame applied. */
  ready: boolean;
  /** Sequence number of the last frame whose colours are on screen. */
  frameSeq: number;
  /** CSS-pixel position in the viewport of the middle of the building's roof; null if unknown or behind the camera. */
  screenPositionOf(buildingId: string): ScreenPoint | null;
  /** The building drawn at a CSS-pixel viewport position, or null. */
  buildingIdAt(x: number, y: number): string | null;
}

declare global {
  interface Window {
    __twin?: TwinTestHook;
  }
}

const v = new Vector3();
const ndc = new Vector2();
const raycaster = new Raycaster();

export const twinHook: TwinTestHook = {
  ready: false,
  frameSeq: 0,
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
    const { camera, gl, buildings } = sceneRefs;
    const district = useTwin.getState().district;
    if (!camera || !gl || !buildings || !district) return null;
    const rect = gl.domElement.getBoundingClientRect();
    ndc.set(((x - rect.left) / rect.width) * 2 - 1, -((y - rect.top) / rect.height) * 2 + 1);
    camera.updateMatrixWorld();
    raycaster.setFromCamera(ndc, camera);
    const hit = raycaster.intersectObject(buildings, false)[0];
    if (!hit?.face) return null;
    const attr = buildings.geometry.getAttribute('aBuilding'); // x = building index
    const index = Math.round(attr.getX(hit.face.a));
    return district.buildings[index]?.id ?? null;
  },
};

if (typeof window !== 'undefined') window.__twin = twinHook;

let pendingSeq = 0;
let pending = false;
function publishRendered(): void {
  pending = false;
  twinHook.frameSeq = pendingSeq;
  if (!twinHook.ready) {
    twinHook.ready = true;
    document.body.dataset.ready = '1';
  }
}

/** Called from the render loop when the colours of frame `seq` are about to be drawn. */
export function markFrameRendered(seq: number): void {
  pendingSeq = seq;
  if (!pending) {
    pending = true;
    requestAnimationFrame(publishRendered);
  }
}
