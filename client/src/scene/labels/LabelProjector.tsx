/**
 * Positions the DOM labels from the render loop (mutating style only on change) and declutters them. The DOM panels
 * are placed first, then cluster labels from the nearest (lowest on screen) to the farthest, then landmark labels by
 * priority. Cluster labels always show (unless their anchor is under a panel), slid along their stem or lifted to a
 * free spot when crowded; a landmark label that overlaps anything already placed is hidden, and landmark labels
 * appear only when the camera is close enough.
 */
import { useFrame } from '@react-three/fiber';
import { Vector3 } from 'three';
import { labelRegistry, type LabelEntry } from './labelRegistry.ts';

/** Landmark labels appear within this distance of the camera. */
const LANDMARK_RANGE_M = 3600;
const STEM_PX = 14;
const GAP_PX = 4;
/** Label boxes keep this far from the view's edges. */
const EDGE_PX = 6;
const MAX_LABELS = 256;
/** Spots tried for a crowded cluster label: 3 sideways positions × 6 rows. */
const CLUSTER_CANDIDATES = 18;

const v = new Vector3();
// placed rectangles: left, top, right, bottom
const placed = new Float32Array(MAX_LABELS * 4);
let clusters: LabelEntry[] = [];
let landmarks: LabelEntry[] = [];
let sortedVersion = -1;
let count = 0;

function overlaps(from: number, to: number, l: number, t: number, r: number, b: number): boolean {
  for (let i = from; i < to; i++) {
    const o = i * 4;
    if (l < placed[o + 2]! + GAP_PX && r > placed[o]! - GAP_PX && t < placed[o + 3]! + GAP_PX && b > placed[o + 1]! - GAP_PX) return true;
  }
  return false;
}

/** Shift that keeps a box of half-width `half` centred at x inside the view. */
function clampDx(x: number, half: number, width: number): number {
  if (x - half < EDGE_PX) return EDGE_PX - (x - half);
  if (x + half > width - EDGE_PX) return width - EDGE_PX - (x + half);
  return 0;
}

function place(l: number, t: number, r: number, b: number): void {
  const o = count * 4;
  placed[o] = l;
  placed[o + 1] = t;
  placed[o + 2] = r;
  placed[o + 3] = b;
  count++;
}

/** Write the label's state to the DOM, touching only what changed. */
function commit(e: LabelEntry, shown: boolean, dx: number, lift: number): void {
  if (e.shown !== shown) {
    e.shown = shown;
    e.el.dataset.shown = shown ? '1' : '0';
  }
  if (!shown) return;
  if (e.px !== e.sx || e.py !== e.sy) {
    e.sx = e.px;
    e.sy = e.py;
    e.el.style.transform = `translate3d(${e.px}px,${e.py}px,0)`;
  }
  if (dx !== e.dx) {
    e.dx = dx;
    e.el.style.setProperty('--dx', `${dx}px`);
  }
  if (lift !== e.lift) {
    e.lift = lift;
    e.el.style.setProperty('--lift', `${lift}px`);
  }
}

/** Total area by which a box overlaps the rectangles placed so far (0 = free). */
function overlapArea(l: number, t: number, r: number, b: number): number {
  let area = 0;
  for (let i = 0; i < count; i++) {
    const o = i * 4;
    const w = Math.min(r, placed[o + 2]! + GAP_PX) - Math.max(l, placed[o]! - GAP_PX);
    const h = Math.min(b, placed[o + 3]! + GAP_PX) - Math.max(t, placed[o + 1]! - GAP_PX);
    if (w > 0 && h > 0) area += w * h;
  }
  return area;
}

function placeCluster(e: LabelEntry, obstacleCount: number, width: number): void {
  const { px: sx, py: sy, w, h } = e;
  // a cluster whose anchor is under a panel cannot be pointed at
  if (!e.inView || count >= MAX_LABELS || overlaps(0, obstacleCount, sx, sy, sx, sy)) return commit(e, false, 0, 0);
  const half = w / 2;
  const rowStep = Math.round(h * 0.6) + GAP_PX;
  let bestArea = Infinity;
  let bestDx = 0;
  let bestLift = 0;
  for (let c = 0; c < CLUSTER_CANDIDATES && bestArea > 0; c++) {
    const row = Math.floor(c / 3);
    const side = c % 3 === 0 ? 0 : c % 3 === 1 ? -0.45 : 0.45;
    const dx = clampDx(sx + side * w, half, width) + side * w;
    const l = sx + dx - half;
    const b = sy - STEM_PX - row * rowStep;
    if (b - h < EDGE_PX) break;
    // a free spot ends the search; otherwise remember the least crowded one
    const area = overlapArea(l, b - h, l + w, b);
    if (area < bestArea) {
      bestArea = area;
      bestDx = dx;
      bestLift = row * rowStep;
    }
  }
  if (bestArea === Infinity) bestDx = clampDx(sx, half, width);
  const l = sx + bestDx - half;
  const b = sy - STEM_PX - bestLift;
  place(l, b - h, l + w, b);
  commit(e, true, bestDx, bestLift);
}

function placeLandmark(e: LabelEntry, width: number): void {
  if (!e.inView || count >= MAX_LABELS || e.distance > LANDMARK_RANGE_M) return commit(e, false, 0, 0);
  const half = e.w / 2;
  const dx = clampDx(e.px, half, width);
  const l = e.px + dx - half;
  const b = e.py - STEM_PX;
  if (overlaps(0, count, l, b - e.h, l + e.w, b)) return commit(e, false, 0, 0);
  place(l, b - e.h, l + e.w, b);
  commit(e, true, dx, 0);
}

export function LabelProjector() {
  useFrame(({ camera, size }) => {
    if (sortedVersion !== labelRegistry.version) {
      clusters = labelRegistry.entries.filter((e) => e.kind === 'cluster');
      landmarks = labelRegistry.entries.filter((e) => e.kind === 'landmark').sort((a, b) => b.priority - a.priority);
      sortedVersion = labelRegistry.version;
    }
    // controls moved the camera this frame; its matrices are otherwise refreshed only inside render()
    camera.updateMatrixWorld();
    for (const e of labelRegistry.entries) {
      v.set(e.x, e.y, e.z);
      e.distance = v.distanceTo(camera.position);
      v.project(camera);
      e.px = Math.round(((v.x + 1) / 2) * size.width);
      e.py = Math.round(((1 - v.y) / 2) * size.height);
      e.inView = v.z > -1 && v.z < 1 && e.px > -40 && e.px < size.width + 40 && e.py > 0 && e.py < size.height + 40 && e.w > 0;
    }
    // nearest cluster first (insertion sort: six entries, no allocation)
    for (let i = 1; i < clusters.length; i++) {
      const e = clusters[i]!;
      let j = i - 1;
      while (j >= 0 && clusters[j]!.py < e.py) {
        clusters[j + 1] = clusters[j]!;
        j--;
      }
      clusters[j + 1] = e;
    }

    const obstacles = labelRegistry.obstacles;
    const obstacleCount = Math.min(obstacles.length / 4, MAX_LABELS / 2);
    for (let i = 0; i < obstacleCount * 4; i++) placed[i] = obstacles[i]!;
    count = obstacleCount;
    for (const e of clusters) placeCluster(e, obstacleCount, size.width);
    for (const e of landmarks) placeLandmark(e, size.width);
  });
  return null;
}
