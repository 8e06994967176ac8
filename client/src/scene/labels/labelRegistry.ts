/**
 * The DOM labels the projector moves each rendered frame. Filled by LabelLayer (React, once per district/language),
 * read and mutated by LabelProjector (render loop) — a plain array, no React state per frame.
 */
export type LabelKind = 'cluster' | 'landmark';

export interface LabelEntry {
  id: string;
  kind: LabelKind;
  /** World anchor (metres). */
  x: number;
  y: number;
  z: number;
  /** Higher wins when labels overlap. Clusters always show; landmarks yield. */
  priority: number;
  el: HTMLElement;
  /** Box size in CSS px, measured after layout (0 until measured). */
  w: number;
  h: number;
  /** Last written state, so the DOM is touched only on change. */
  shown: boolean;
  sx: number;
  sy: number;
  lift: number;
  /** Horizontal shift of the box that keeps it inside the view (the stem stays on the anchor). */
  dx: number;
  /** Scratch for the projector: this frame's screen position, camera distance and whether it is in view. */
  px: number;
  py: number;
  distance: number;
  inView: boolean;
}

export const labelRegistry = {
  entries: [] as LabelEntry[],
  /** Screen rectangles of the DOM panels (left, top, right, bottom in canvas CSS px): landmark labels avoid them. */
  obstacles: new Float32Array(0),
  /** Bumped when entries change, so the projector re-sorts and the scene re-renders. */
  version: 0,
};

/**
 * The cluster whose label box is shown at a viewport point, or null. Labels let the pointer through to the map (a drag
 * or a wheel over a label still moves the camera), so a click is matched to a label here, once per click.
 */
export function clusterLabelAt(clientX: number, clientY: number): string | null {
  for (const e of labelRegistry.entries) {
    if (e.kind !== 'cluster' || !e.shown) continue;
    const box = e.el.firstElementChild as HTMLElement | null;
    const r = box?.getBoundingClientRect();
    if (r && clientX >= r.left && clientX <= r.right && clientY >= r.top && clientY <= r.bottom) return e.id.replace(/^cluster-/, '');
  }
  return null;
}
