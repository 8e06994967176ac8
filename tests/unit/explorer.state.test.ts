/** The explorer's client state without a browser: view actions, camera pose ⇄ camera, URL form, replay and compare colours. */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Vector3 } from 'three';
import { DIVERGING_RGB, RAMP_RGB, RAMP_SIZE, STALE_RGB } from '@models/colour.ts';
import type { District } from '@models/district.ts';
import { encodeFrame, FRAME_KIND } from '@models/frame.codec.ts';
import { DEFAULT_VIEW, viewFromQuery, type CameraPose } from '@models/view.ts';
import { FLAG_STALE, writeBuildingColours } from '../../client/src/scene/buildingColours.ts';
import { cameraToPose, poseToCamera } from '../../client/src/scene/cameraPose.ts';
import { allocateLive, applyFrame, applyReplayFrame, compareBuffer, frameSource, live, replayBuffer, setDistrict, sourceIsStale, useTwin } from '../../client/src/state/store.ts';
import { urlForView } from '../../client/src/state/urlSync.ts';
import { loadDistrict } from '../../server/src/district/district.loader.ts';
import { REPO_ROOT } from '../../server/src/config.ts';

let district: District;

const frameOf = (kind: number, occupancy: number, tsMs = 0) => {
  const n = district.buildings.length;
  const zeros = new Uint8Array(n);
  return encodeFrame({ kind: kind as 1 | 2, datasetVersion: district.version, seq: 1, tsMs }, { occupancy: new Float32Array(n).fill(occupancy), computeLoad: new Float32Array(n).fill(0.5), occupancyIngest: zeros, computeIngest: zeros });
};

beforeAll(async () => {
  district = await loadDistrict(path.join(REPO_ROOT, 'data'));
  setDistrict(district);
});

describe('view actions', () => {
  it('select, clear, metric, time and play change the one view state', () => {
    const { actions } = useTwin.getState();
    const id = district.buildings[3]!.id;
    actions.selectBuilding(id);
    expect(useTwin.getState().view.selection).toEqual({ kind: 'building', id });
    actions.clearSelection();
    expect(useTwin.getState().view.selection).toBeNull();
    actions.setMetric('computeLoad');
    expect(useTwin.getState().view.metric).toBe('computeLoad');
    actions.play(60); // live: nothing to play
    expect(useTwin.getState().view.mode).toEqual({ kind: 'live' });
    actions.setTime(Date.UTC(2026, 10, 28, 6, 5, 42));
    expect(useTwin.getState().view.mode).toEqual({ kind: 'replay', atMs: Date.UTC(2026, 10, 28, 6, 5), speed: 0 });
    actions.play(600);
    expect(useTwin.getState().view.mode).toMatchObject({ kind: 'replay', speed: 600 });
    expect(frameSource()).toBe(replayBuffer);
    actions.setTime('live');
    expect(frameSource()).toBe(live);
    // the actions object is created once: selecting it never re-renders
    expect(useTwin.getState().actions).toBe(actions);
  });

  it('applyPatch validates what comes from outside and names what was wrong', () => {
    const { actions } = useTwin.getState();
    const before = useTwin.getState().view;
    const r = actions.applyPatch({ metric: 'nope' } as never);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain('metric');
    expect(useTwin.getState().view).toBe(before);
    expect(actions.applyPatch({ camera: { x: 1, z: 2, distance: 300, heading: 90, tilt: 40 } })).toEqual({ ok: true });
    expect(useTwin.getState().view.camera).toEqual({ x: 1, z: 2, distance: 300, heading: 90, tilt: 40 });
    actions.resetView();
    expect(useTwin.getState().view.camera).toBeNull();
  });
});

describe('camera pose', () => {
  it('pose → camera → pose is the same pose (so a link restores the camera exactly)', () => {
    const poses: CameraPose[] = [
      { x: 120.5, z: -3400.2, distance: 850, heading: 0, tilt: 45 },
      { x: -50, z: 10, distance: 2400.4, heading: 271.3, tilt: 12.5 },
      { x: 0, z: 0, distance: 7000, heading: 100, tilt: 57 },
    ];
    const p = new Vector3();
    const t = new Vector3();
    for (const pose of poses) {
      poseToCamera(pose, p, t);
      expect(cameraToPose(p, t)).toEqual(pose);
    }
  });

  it('heading 0 looks north (−z), 90 looks east (+x)', () => {
    const p = new Vector3();
    const t = new Vector3();
    poseToCamera({ x: 0, z: 0, distance: 100, heading: 0, tilt: 60 }, p, t);
    expect(p.z).toBeGreaterThan(0);
    poseToCamera({ x: 0, z: 0, distance: 100, heading: 90, tilt: 60 }, p, t);
    expect(p.x).toBeLessThan(0);
  });
});

describe('URL form', () => {
  it('a view written to a URL reads back the same, and other parameters are kept', () => {
    const view = {
      ...DEFAULT_VIEW,
      lang: 'en' as const,
      metric: 'computeLoad' as const,
      selection: { kind: 'building' as const, id: district.buildings[5]!.id },
      camera: { x: 12.3, z: -456.7, distance: 900, heading: 33.3, tilt: 41 },
      mode: { kind: 'replay' as const, atMs: Date.UTC(2026, 10, 28, 6, 5), speed: 60 },
      compare: { kind: 'week' as const },
    };
    const href = urlForView(view, 'http://x/tour?story=abc&lang=zh&sel=b:old');
    expect(href.startsWith('/tour?')).toBe(true);
    const q = new URLSearchParams(href.split('?')[1]);
    expect(q.get('story')).toBe('abc');
    expect(viewFromQuery(q).view).toEqual(view);
  });
});

describe('frame sources', () => {
  it('a replay frame goes to the replay buffer only, and a live frame never does', () => {
    allocateLive(district);
    expect(applyReplayFrame(frameOf(FRAME_KIND.live, 0.2))).toBe('rejected');
    expect(applyFrame(frameOf(FRAME_KIND.replay, 0.2))).toBe('rejected');
    expect(applyReplayFrame(frameOf(FRAME_KIND.replay, 0.2, 123 * 60_000))).toBe('applied');
    expect(replayBuffer.tsMs).toBe(123 * 60_000);
    expect(live.hasFrame).toBe(false);
  });

  it('a replayed minute is judged on its own clock: never stale by age; a live one is after staleAfterS', () => {
    allocateLive(district);
    applyFrame(frameOf(FRAME_KIND.live, 0.5), 0);
    applyReplayFrame(frameOf(FRAME_KIND.replay, 0.5));
    const later = replayBuffer.receivedAtMs + 3_600_000;
    expect(sourceIsStale(live, 3_600_000, 10)).toBe(true);
    expect(sourceIsStale(replayBuffer, later, 10)).toBe(false);
    const out = new Uint8Array(district.buildings.length * 4);
    expect(writeBuildingColours('occupancy', replayBuffer, district, out, later, 10)).toBe(0);
    expect(writeBuildingColours('occupancy', live, district, out, 3_600_000, 10)).toBe(district.buildings.length);
    expect(out[3]! & FLAG_STALE).toBe(FLAG_STALE);
  });

  it('compare colours the difference from the reference minute on the diverging ramp', () => {
    allocateLive(district);
    applyReplayFrame(frameOf(FRAME_KIND.replay, 0.9));
    applyReplayFrame(frameOf(FRAME_KIND.replay, 0.4), compareBuffer);
    const out = new Uint8Array(district.buildings.length * 4);
    writeBuildingColours('occupancy', replayBuffer, district, out, 0, 10, -1, compareBuffer);
    // +50 percentage points: the "higher" end of the diverging ramp
    const end = (RAMP_SIZE - 1) * 3;
    expect([...out.slice(0, 3)]).toEqual([...DIVERGING_RGB.slice(end, end + 3)]);
    // the same values without compare: viridis at 90 %
    writeBuildingColours('occupancy', replayBuffer, district, out, 0, 10);
    const v = Math.round(0.9 * (RAMP_SIZE - 1)) * 3;
    expect([...out.slice(0, 3)]).toEqual([...RAMP_RGB.slice(v, v + 3)]);
    // no reference value that minute: nothing to compare, shown as no data
    applyReplayFrame(frameOf(FRAME_KIND.replay, NaN), compareBuffer);
    writeBuildingColours('occupancy', replayBuffer, district, out, 0, 10, -1, compareBuffer);
    expect([...out.slice(0, 3)]).toEqual([...STALE_RGB]);
  });
});
