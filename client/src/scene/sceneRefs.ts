/** Handles on the live three.js objects for code outside the render loop (test hook, picking). Set by components in the Canvas. */
import type { Camera, Mesh, Vector3, WebGLRenderer } from 'three';
import type { BuildingsGeometry } from './geometry.ts';

export const sceneRefs = {
  camera: null as Camera | null,
  gl: null as WebGLRenderer | null,
  buildings: null as Mesh | null,
  buildingsGeometry: null as BuildingsGeometry | null,
  /** The camera rig's orbit target (what the camera looks at). */
  controlsTarget: null as Vector3 | null,
  /** Draw one frame now (the export reads the canvas in the same task, before the drawing buffer is cleared). */
  renderNow: null as (() => void) | null,
};
