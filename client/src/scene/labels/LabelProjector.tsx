/**
 * Positions the DOM labels from the render loop (mutating style only on change) and declutters them: labels are
 * placed in priority order; a landmark label whose screen rectangle overlaps one already placed is hidden; cluster
 * labels always show, lifted above an overlapping cluster label; landmark labels only when the camera is close enough.
 */
import { useFrame } from '@react-three/fiber';
import { Vector3 } from 'three';
import { labelRegistry, type LabelEntry } from './labelRegistry.ts';

/** Landmark labels appear within this distance of the camera. */
const LANDMARK_RANGE_M = 3600;
const STEM_PX = 14;
const GAP_PX = 4;
const MAX_LABELS = 256;

const v = new Vector3();
// placed rectangles: left, top, right, bottom
const placed = new Float32Array(MAX_LABELS * 4);
let sorted: LabelEntry[] = [];
let sortedVersion = -1;

function overlaps(from: number, count: number, l: number, t: number, r: number, b: number): boolean {
  for (let i = from; i < count; i++) {
    const o = i * 4;
    if (l < placed[o + 2]! + GAP_PX && r > placed[o]! - GAP_PX && t < placed[o + 3]! + GAP_PX && b > placed[o + 1]! - GAP_PX) return true;
  }
  return false;
}

function show(e: LabelEntry, shown: boolean): void {
  if (e.shown === shown) return;
  e.shown = shown;
  e.el.dataset.shown = shown ? '1' : '0';
}

export function LabelProjector() {
  useFrame(({ camera, size }) => {
    if (sortedVersion !== labelRegistry.version) {
      sorted = labelRegistry.entries.slice().sort((a, b) => b.priority - a.priority);
      sortedVersion = labelRegistry.version;
    }
    // controls moved the camera this frame; its matrices are otherwise refreshed only inside render()
    camera.updateMatrixWorld();
    // the panels come first: landmark labels never hide under them (clusters are not moved for them)
    const obstacles = labelRegistry.obstacles;
    const obstacleCount = Math.min(obstacles.length / 4, MAX_LABELS / 2);
    for (let i = 0; i < obstacleCount * 4; i++) placed[i] = obstacles[i]!;
    let count = obstacleCount;
    for (const e of sorted) {
      v.set(e.x, e.y, e.z);
      const distance = v.distanceTo(camera.position);
      v.project(camera);
      const sx = Math.round(((v.x + 1) / 2) * size.width);
      const sy = Math.round(((1 - v.y) / 2) * size.height);
      let visible = count < MAX_LABELS && v.z > -1 && v.z < 1 && sx > -40 && sx < size.width + 40 && sy > 0 && sy < size.height + 40 && e.w > 0;
      if (visible && e.kind === 'landmark' && distance > LANDMARK_RANGE_M) visible = false;
      let lift = 0;
      if (visible) {
        const l = sx - e.w / 2;
        const r = sx + e.w / 2;
        let b = sy - STEM_PX;
        let t = b - e.h;
        if (e.kind === 'cluster') {
          // clusters must always read: step upwards until free (a few steps at most)
          for (let step = 0; step < 4 && overlaps(obstacleCount, count, l, t, r, b); step++) {
            lift += e.h + GAP_PX;
            b -= e.h + GAP_PX;
            t -= e.h + GAP_PX;
          }
        } else if (overlaps(0, count, l, t, r, b)) {
          visible = false;
        }
        if (visible) {
          const o = count * 4;
          placed[o] = l;
          placed[o + 1] = t;
          placed[o + 2] = r;
          placed[o + 3] = b;
          count++;
        }
      }
      show(e, visible);
      if (!visible) continue;
      if (sx !== e.sx || sy !== e.sy) {
        e.sx = sx;
        e.sy = sy;
        e.el.style.transform = `translate3d(${sx}px,${sy}px,0)`;
      }
      if (lift !== e.lift) {
        e.lift = lift;
        e.el.style.setProperty('--lift', `${lift}px`);
      }
    }
  });
  return null;
}
