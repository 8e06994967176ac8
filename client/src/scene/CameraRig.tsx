/**
 * Camera: map-style OrbitControls (drag pans the ground, right-drag / two fingers rotate, wheel zooms to the cursor)
 * with damping, distance limits, a polar limit above the horizon and the target kept inside the district, plus the
 * home view that frames the whole ~7 km strip.
 *
 * The pose lives in the view state (`view.camera`, models/view.ts; null = home view). When a command changes it
 * (flyTo, selectBuilding, a URL, a remote) the rig eases there; when the user's move ends the rig writes the pose back
 * with `actions.setCameraFromUser` (no flight follows, since the rig knows the pose it wrote itself).
 */
import { useCallback, useEffect, useRef } from 'react';
import { useFrame, useThree } from '@react-three/fiber';
import { OrbitControls } from '@react-three/drei';
import type { OrbitControls as OrbitControlsImpl } from 'three-stdlib';
import { Fog, MOUSE, PerspectiveCamera, TOUCH, Vector3 } from 'three';
import type { CameraPose } from '@models/view.ts';
import type { District } from '@models/district.ts';
import type { Bounds } from './geometry.ts';
import { viewCommands } from '../state/viewCommands.ts';
import { buildingIndexOf, cameraBridge, useTwin } from '../state/store.ts';
import { cameraToPose, poseToCamera } from './cameraPose.ts';
import { buildingsGeometryOf } from './districtCache.ts';
import { sceneRefs } from './sceneRefs.ts';

const MIN_DISTANCE_M = 60;
/** Just above the horizon: the camera never looks up from under the ground plane. */
const MAX_POLAR = Math.PI / 2 - 0.16;
/** How far past the district's outline the target may wander. */
const TARGET_MARGIN_M = 700;
const FLIGHT_S = 1.4;
/** The user's move is written to the view state once the camera has been still this long (damping included). */
const SETTLE_MS = 300;
/** Flying to a selection keeps the current heading but looks down at least this much, so the building is seen. */
const MIN_SELECT_TILT = 30;
const MAX_SELECT_TILT = 62;
/** One press of + or − changes the distance to the target by this factor. */
const KEY_ZOOM = 1.25;
/** One arrow press moves the view by this share of the distance to the target. */
const KEY_PAN = 0.1;
const keyForward = new Vector3();
const keyRight = new Vector3();
const keyMove = new Vector3();

/**
 * Whether a key press is for the map: not modified, not already handled, and not from an element that uses arrows
 * or +/− itself (text fields, sliders, selects, lists, tab strips, menus, editable text).
 */
export function mapKeyEvent(e: KeyboardEvent): boolean {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return false;
  const t = e.target;
  if (!(t instanceof HTMLElement)) return true;
  if (t.isContentEditable) return false;
  if (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT') return false;
  return !t.closest('[role="slider"],[role="listbox"],[role="option"],[role="tablist"],[role="menu"],[role="combobox"],[role="spinbutton"],[role="radiogroup"]');
}

export interface Pose {
  position: Vector3;
  target: Vector3;
}

/** Screen window (NDC) the district should fill in the home view: a little headroom for the title, more for the legend. */
const HOME_NDC = { left: -0.94, right: 0.94, bottom: -0.66, top: 0.74 };

const fitCamera = new PerspectiveCamera();
const fitPoint = new Vector3();
const fitRight = new Vector3();
const fitForward = new Vector3();

/**
 * The view that frames the whole strip. On a landscape screen the camera stands over the river, a little north of
 * east, looking at the waterfront, so the north–south strip runs across the screen with its south end receding; on a
 * portrait screen it stands to the south, north up. Distance and target are refined by projecting the district
 * outline (`outline`: x, z pairs), so the framing is right for any aspect and for the strip's bend.
 */
export function homePose(bounds: Bounds, outline: Float64Array, aspect: number, fovDeg: number, out: Pose): Pose {
  const landscape = aspect >= 1;
  // azimuth of the camera around the target, from +z (south) towards +x (east)
  const azimuth = ((landscape ? 100 : 12) * Math.PI) / 180;
  const polar = ((landscape ? 57 : 42) * Math.PI) / 180;
  const dir = fitForward.set(Math.sin(polar) * Math.sin(azimuth), Math.cos(polar), Math.sin(polar) * Math.cos(azimuth));
  out.target.set((bounds.minX + bounds.maxX) / 2, 0, (bounds.minZ + bounds.maxZ) / 2);
  let distance = Math.max(bounds.maxX - bounds.minX, bounds.maxZ - bounds.minZ, 1000);
  fitCamera.fov = fovDeg;
  fitCamera.aspect = aspect;
  fitCamera.near = 1;
  fitCamera.far = 1e6;
  fitCamera.updateProjectionMatrix();
  const n = outline.length / 2;
  const wantW = HOME_NDC.right - HOME_NDC.left;
  const wantH = HOME_NDC.top - HOME_NDC.bottom;
  const wantCx = (HOME_NDC.left + HOME_NDC.right) / 2;
  const wantCy = (HOME_NDC.bottom + HOME_NDC.top) / 2;
  for (let iter = 0; iter < 8 && n > 0; iter++) {
    fitCamera.position.copy(dir).multiplyScalar(distance).add(out.target);
    fitCamera.lookAt(out.target);
    fitCamera.updateMatrixWorld();
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      fitPoint.set(outline[i * 2]!, 0, outline[i * 2 + 1]!).project(fitCamera);
      if (fitPoint.x < minX) minX = fitPoint.x;
      if (fitPoint.x > maxX) maxX = fitPoint.x;
      if (fitPoint.y < minY) minY = fitPoint.y;
      if (fitPoint.y > maxY) maxY = fitPoint.y;
    }
    // move the target so the outline's screen box is centred in the window, then scale the distance to fit it
    const halfH = Math.tan(((fovDeg / 2) * Math.PI) / 180) * distance;
    const halfW = halfH * aspect;
    fitRight.setFromMatrixColumn(fitCamera.matrixWorld, 0).setY(0).normalize();
    const shiftX = ((minX + maxX) / 2 - wantCx) * halfW;
    const shiftY = ((minY + maxY) / 2 - wantCy) * halfH;
    out.target.addScaledVector(fitRight, shiftX);
    // screen-up on the ground is "away from the camera", foreshortened by the tilt
    out.target.x -= (dir.x / Math.hypot(dir.x, dir.z)) * (shiftY / Math.cos(polar));
    out.target.z -= (dir.z / Math.hypot(dir.x, dir.z)) * (shiftY / Math.cos(polar));
    distance *= Math.max((maxX - minX) / wantW, (maxY - minY) / wantH);
  }
  out.position.copy(dir).multiplyScalar(distance).add(out.target);
  return out;
}

const scratchPose: Pose = { position: new Vector3(), target: new Vector3() };
const correction = new Vector3();
const offset = new Vector3();

function easeInOutCubic(t: number): number {
  return t < 0.5 ? 4 * t * t * t : 1 - Math.pow(-2 * t + 2, 3) / 2;
}

interface Flight {
  active: boolean;
  t: number;
  fromPosition: Vector3;
  fromTarget: Vector3;
  toPosition: Vector3;
  toTarget: Vector3;
}

export function CameraRig({ bounds, outline, district }: { bounds: Bounds; outline: Float64Array; district: District }) {
  const controls = useRef<OrbitControlsImpl>(null);
  const camera = useThree((s) => s.camera) as PerspectiveCamera;
  const gl = useThree((s) => s.gl);
  const scene = useThree((s) => s.scene);
  const invalidate = useThree((s) => s.invalidate);
  const flight = useRef<Flight>({
    active: false,
    t: 0,
    fromPosition: new Vector3(),
    fromTarget: new Vector3(),
    toPosition: new Vector3(),
    toTarget: new Vector3(),
  });
  const lastCompassDeg = useRef(NaN);
  const homeDistance = useRef(7000);

  const fly = useCallback(
    (position: Vector3, target: Vector3) => {
      const c = controls.current;
      if (!c) return;
      const f = flight.current;
      f.fromPosition.copy(camera.position);
      f.fromTarget.copy(c.target);
      f.toPosition.copy(position);
      f.toTarget.copy(target);
      // with reduced motion the flight is a cut
      f.t = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ? 1 : 0;
      f.active = true;
      invalidate();
    },
    [camera, invalidate],
  );

  /** The pose this rig last wrote to the view state: a view change to anything else is a command to fly. */
  const written = useRef<CameraPose | null | undefined>(undefined);
  /** Set while the rig moves the camera itself, so its own change events are not taken for the user's. */
  const programmatic = useRef(false);
  const settleTimer = useRef(0);
  /**
   * Set once the user has moved the camera (pointer, wheel, touch, arrow keys). Until then nothing is written back
   * (damping after the first jump is not a move). It stays set: on a slow machine frames can be further apart than
   * SETTLE_MS, so a write may come mid-damping and the later change events must write the final pose again.
   */
  const userMoved = useRef(false);

  const homeOf = useCallback(() => {
    const size = gl.domElement.getBoundingClientRect();
    return homePose(bounds, outline, size.width / Math.max(1, size.height), camera.fov, scratchPose);
  }, [bounds, outline, camera, gl]);

  const poseTarget = useCallback(
    (pose: CameraPose | null) => {
      if (!pose) return homeOf();
      poseToCamera(pose, scratchPose.position, scratchPose.target);
      return scratchPose;
    },
    [homeOf],
  );

  // Jump (no flight) to the view's pose, or the home view, when a district (its bounds) arrives.
  useEffect(() => {
    const c = controls.current;
    const home = homeOf();
    homeDistance.current = home.position.distanceTo(home.target);
    const view = useTwin.getState().view.camera;
    const pose = poseTarget(view);
    written.current = view;
    programmatic.current = true;
    camera.position.copy(pose.position);
    if (c) {
      c.target.copy(pose.target);
      // set here, not as a prop, so a re-render cannot reset it
      c.maxDistance = Math.max(9000, homeDistance.current * 1.8);
      c.update();
    } else {
      camera.lookAt(pose.target);
    }
    programmatic.current = false;
    invalidate();
  }, [homeOf, poseTarget, camera, invalidate]);

  // A command changed the pose: fly there.
  useEffect(
    () =>
      useTwin.subscribe((s, prev) => {
        const pose = s.view.camera;
        const reset = s.cameraResets !== prev.cameraResets;
        if (!reset && (pose === prev.view.camera || pose === written.current)) return;
        written.current = pose;
        window.clearTimeout(settleTimer.current);
        const to = poseTarget(pose);
        fly(to.position, to.target);
      }),
    [fly, poseTarget],
  );

  // What the store's commands need from the scene: the pose now, and poses that frame a building or a cluster.
  useEffect(() => {
    const geo = buildingsGeometryOf(district);
    const current = (): CameraPose | null => {
      const c = controls.current;
      return c ? cameraToPose(camera.position, c.target) : null;
    };
    const around = (x: number, z: number, distance: number): CameraPose => {
      const now = current() ?? { x, z, distance, heading: 0, tilt: 45 };
      return { x: Number(x.toFixed(1)), z: Number(z.toFixed(1)), distance: Number(distance.toFixed(1)), heading: now.heading, tilt: Math.min(Math.max(now.tilt, MIN_SELECT_TILT), MAX_SELECT_TILT) };
    };
    cameraBridge.currentPose = current;
    sceneRefs.controlsTarget = controls.current?.target ?? null;
    cameraBridge.poseForBuilding = (id) => {
      const i = buildingIndexOf(id);
      const b = district.buildings[i];
      if (i < 0 || !b) return null;
      const r = geo.roofCentres;
      return around(r[i * 3]!, r[i * 3 + 2]!, Math.max(MIN_DISTANCE_M * 4, b.heightM * 4, Math.sqrt(b.gfaM2 / b.floors) * 6));
    };
    cameraBridge.poseForCluster = (id) => {
      let minX = Infinity, maxX = -Infinity, minZ = Infinity, maxZ = -Infinity;
      const r = geo.roofCentres;
      district.buildings.forEach((b, i) => {
        if (b.clusterId !== id) return;
        minX = Math.min(minX, r[i * 3]!);
        maxX = Math.max(maxX, r[i * 3]!);
        minZ = Math.min(minZ, r[i * 3 + 2]!);
        maxZ = Math.max(maxZ, r[i * 3 + 2]!);
      });
      if (!Number.isFinite(minX)) return null;
      const extent = Math.max(maxX - minX, maxZ - minZ, 300);
      return around((minX + maxX) / 2, (minZ + maxZ) / 2, extent * 1.9);
    };
    return () => {
      cameraBridge.currentPose = () => null;
      cameraBridge.poseForBuilding = () => null;
      cameraBridge.poseForCluster = () => null;
      sceneRefs.controlsTarget = null;
    };
  }, [district, camera]);

  // The user moved the camera (drag, wheel, touch, arrow keys): once it has settled, write the pose to the view.
  const onUserChange = useCallback(() => {
    // only the user's own moves are written back (not damping after a jump, nor a target clamp)
    if (!userMoved.current || programmatic.current || flight.current.active) return;
    window.clearTimeout(settleTimer.current);
    settleTimer.current = window.setTimeout(() => {
      const c = controls.current;
      if (!c || flight.current.active) return;
      const pose = cameraToPose(camera.position, c.target);
      written.current = pose;
      useTwin.getState().actions.setCameraFromUser(pose);
    }, SETTLE_MS);
  }, [camera]);
  useEffect(() => () => window.clearTimeout(settleTimer.current), []);

  // Keep the target over the district (moving the camera with it, so the view direction is unchanged).
  const clampTarget = useCallback(() => {
    const c = controls.current;
    if (!c) return;
    const t = c.target;
    const x = Math.min(Math.max(t.x, bounds.minX - TARGET_MARGIN_M), bounds.maxX + TARGET_MARGIN_M);
    const z = Math.min(Math.max(t.z, bounds.minZ - TARGET_MARGIN_M), bounds.maxZ + TARGET_MARGIN_M);
    const y = Math.min(Math.max(t.y, 0), 300);
    if (x !== t.x || y !== t.y || z !== t.z) {
      correction.set(x - t.x, y - t.y, z - t.z);
      t.add(correction);
      camera.position.add(correction);
    }
  }, [bounds, camera]);

  useFrame((_, delta) => {
    const c = controls.current;
    if (!c) return;
    const f = flight.current;
    if (f.active) {
      f.t = Math.min(1, f.t + Math.min(delta, 0.1) / FLIGHT_S);
      const k = easeInOutCubic(f.t);
      camera.position.lerpVectors(f.fromPosition, f.toPosition, k);
      c.target.lerpVectors(f.fromTarget, f.toTarget, k);
      programmatic.current = true;
      c.update();
      programmatic.current = false;
      if (f.t >= 1) f.active = false;
      invalidate();
    }

    // Depth range and fog follow the distance to the target: crisp precision near, a soft horizon far.
    const distance = camera.position.distanceTo(c.target);
    const near = Math.max(1, distance * 0.02);
    if (Math.abs(camera.near - near) > near * 0.1) {
      camera.near = near;
      camera.far = Math.max(60_000, distance * 10);
      camera.updateProjectionMatrix();
    }
    const fog = scene.fog;
    if (fog instanceof Fog) {
      fog.near = distance * 1.05;
      fog.far = distance * 3.6 + 4000;
    }

    const needle = viewCommands.compassNeedle;
    if (needle) {
      // screen rotation of north: the camera's heading around the vertical axis
      offset.copy(c.target).sub(camera.position);
      const deg = Math.round(((Math.atan2(offset.x, -offset.z) * 180) / Math.PI) * 2) / 2;
      if (deg !== lastCompassDeg.current) {
        lastCompassDeg.current = deg;
        needle.style.transform = `rotate(${-deg}deg)`;
      }
    }
  });

  useEffect(() => {
    const c = controls.current;
    if (!c) return;
    // Arrow keys pan, as on a map; + and − zoom. Keys are heard on the window (the keyboard alone must reach the map)
    // but never taken from a control that uses them itself: a text field, a slider, a list, a tab strip, a menu.
    // (OrbitControls' own key listener is not used: drei re-connects the controls when R3F's event target arrives,
    // which silently drops it.)
    const onKey = (e: KeyboardEvent) => {
      if (!mapKeyEvent(e)) return;
      const c = controls.current;
      if (!c) return;
      let forward = 0;
      let right = 0;
      if (e.key === 'ArrowUp') forward = 1;
      else if (e.key === 'ArrowDown') forward = -1;
      else if (e.key === 'ArrowLeft') right = -1;
      else if (e.key === 'ArrowRight') right = 1;
      else if (e.key === '+' || e.key === '=' || e.key === '-' || e.key === '_') {
        e.preventDefault();
        userMoved.current = true;
        flight.current.active = false;
        // three-stdlib's naming: dollyOut moves the camera closer
        if (e.key === '+' || e.key === '=') c.dollyOut(KEY_ZOOM);
        else c.dollyIn(KEY_ZOOM);
        invalidate();
        return;
      } else return;
      e.preventDefault();
      userMoved.current = true;
      flight.current.active = false;
      // a step of a tenth of the distance to the target, along the ground as seen from the camera
      const step = camera.position.distanceTo(c.target) * KEY_PAN;
      keyForward.copy(c.target).sub(camera.position).setY(0);
      if (keyForward.lengthSq() < 1e-6) keyForward.set(0, 0, -1);
      keyForward.normalize();
      keyRight.set(-keyForward.z, 0, keyForward.x);
      keyMove.copy(keyForward).multiplyScalar(forward * step).addScaledVector(keyRight, right * step);
      c.target.add(keyMove);
      camera.position.add(keyMove);
      c.update();
      invalidate();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [invalidate, camera]);

  return (
    <OrbitControls
      ref={controls}
      makeDefault
      enableDamping
      dampingFactor={0.09}
      minDistance={MIN_DISTANCE_M}
      maxPolarAngle={MAX_POLAR}
      screenSpacePanning={false}
      zoomToCursor
      keyPanSpeed={40}
      mouseButtons={{ LEFT: MOUSE.PAN, MIDDLE: MOUSE.DOLLY, RIGHT: MOUSE.ROTATE }}
      touches={{ ONE: TOUCH.PAN, TWO: TOUCH.DOLLY_ROTATE }}
      onChange={() => {
        clampTarget();
        onUserChange();
      }}
      onStart={() => {
        flight.current.active = false;
        userMoved.current = true;
      }}
    />
  );
}
