/**
 * Click or tap selects the building under the pointer (scene/picking.ts), or the cluster whose name label is there;
 * a click on the ground clears the selection. A press that moved more than a few pixels or lasted long is a pan/rotate, not a click.
 */
import { useEffect, type RefObject } from 'react';
import { useTwin } from '../state/store.ts';
import { pickAt } from './picking.ts';
import { clusterLabelAt } from './labels/labelRegistry.ts';

const CLICK_SLOP_PX = 6;
const CLICK_MAX_MS = 600;

export function useClickSelect(stage: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const el = stage.current;
    if (!el) return;
    let downX = 0;
    let downY = 0;
    let downAt = 0;
    let pointer = -1;
    const onDown = (e: PointerEvent) => {
      if (!e.isPrimary || e.button !== 0) return;
      pointer = e.pointerId;
      downX = e.clientX;
      downY = e.clientY;
      // the event's own time, not when this handler ran: a busy page (the district still building) must not turn a
      // quick click into a long press
      downAt = e.timeStamp;
    };
    const onUp = (e: PointerEvent) => {
      if (e.pointerId !== pointer) return;
      pointer = -1;
      if (Math.hypot(e.clientX - downX, e.clientY - downY) > CLICK_SLOP_PX || e.timeStamp - downAt > CLICK_MAX_MS) return;
      // only presses on the canvas itself, not on a label or panel above it
      if (!(e.target instanceof HTMLCanvasElement)) return;
      const { district, actions } = useTwin.getState();
      // a cluster's name on the map selects the cluster
      const cluster = clusterLabelAt(e.clientX, e.clientY);
      if (cluster) return actions.selectCluster(cluster);
      const i = pickAt(e.clientX, e.clientY);
      const id = i < 0 ? null : (district?.buildings[i]?.id ?? null);
      if (id) actions.selectBuilding(id);
      else actions.clearSelection();
    };
    const onCancel = () => {
      pointer = -1;
    };
    el.addEventListener('pointerdown', onDown);
    el.addEventListener('pointerup', onUp);
    el.addEventListener('pointercancel', onCancel);
    return () => {
      el.removeEventListener('pointerdown', onDown);
      el.removeEventListener('pointerup', onUp);
      el.removeEventListener('pointercancel', onCancel);
    };
  }, [stage]);
}
