/**
 * Camera: map-style OrbitControls (drag pans the ground, right-drag / two fingers rotate, wheel zooms to the cursor)
 * with damping, distance limits, a polar limit above the horizon and the target kept inside the district, plus the
 * home view that frames the whole ~7 km strip and an eased flight back to it.
 */
import { useCallback, useEffect, useRef } from 'react';
import { useFrame, useThree } from '@react-three/fiber';
import { OrbitControls } from '@react-three/drei';
import type { OrbitControls as OrbitControlsImpl } from 'three-stdlib';
import { Fog, MOUSE, PerspectiveCamera, TOUCH, Vector3 } from 'three';
import type { Bounds } from './geometry.ts';
import { viewCommands } from '../state/viewCommands.ts';

const MIN_DISTANCE_M = 60;
/** Just above the horizon: the camera never looks up from under the ground plane. */
const MAX_POLAR = Math.PI / 2 - 0.16;
/** How far past the district's outline the target may wander. */
const TARGET_MARGIN_M = 700;
const FLIGHT_S = 1.4;

export interface Pose {
  position: Vector3;
  target: Vector3;
}

/**
 * The view that frames the whole strip. On a landscape screen the camera stands over the river, a little north of
 * east, looking at the waterfront, so the north–south strip runs across the screen with its south end receding; on a
 * portrait screen it stands to the south, north up.
 */
export function homePose(bounds: Bounds, aspect: number, fovDeg: number, out: Pose): Pose {
  const cx = (bounds.minX + bounds.maxX) / 2;
  const cz = (bounds.minZ + bounds.maxZ) / 2;
  const ex = bounds.maxX - bounds.minX;
  const ez = bounds.maxZ - bounds.minZ;
  const vHalf = ((fovDeg / 2) * Math.PI) / 180;
  const tanV = Math.tan(vHalf);
  const tanH = tanV * aspect;
  const landscape = aspect >= 1;
  // azimuth of the camera around the target, from +z (south) towards +x (east)
  const azimuth = landscape ? (100 * Math.PI) / 180 : (12 * Math.PI) / 180;
  const polar = landscape ? (57 * Math.PI) / 180 : (42 * Math.PI) / 180;
  const sinA = Math.sin(azimuth);
  const cosA = Math.cos(azimuth);
  // extents across and along the view direction, on the ground
  const across = Math.abs(ez * sinA) + Math.abs(ex * cosA);
  const along = Math.abs(ez * cosA) + Math.abs(ex * sinA);
  const fitAcross = (across / 2) * 1.06 / tanH;
  const fitAlong = ((along / 2) * Math.cos(polar) * 1.15) / tanV;
  const distance = Math.max(fitAcross, fitAlong, 800);
  out.target.set(cx, 0, cz);
  out.position.set(
    cx + distance * Math.sin(polar) * sinA,
    distance * Math.cos(polar),
    cz + distance * Math.sin(polar) * cosA,
  );
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

export function CameraRig({ bounds }: { bounds: Bounds }) {
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
      f.t = 0;
      f.active = true;
      invalidate();
    },
    [camera, invalidate],
  );

  // Jump to the home view when a district (its bounds) arrives.
  useEffect(() => {
    const c = controls.current;
    const size = gl.domElement.getBoundingClientRect();
    const pose = homePose(bounds, size.width / Math.max(1, size.height), camera.fov, scratchPose);
    homeDistance.current = pose.position.distanceTo(pose.target);
    camera.position.copy(pose.position);
    if (c) {
      c.target.copy(pose.target);
      c.maxDistance = Math.max(9000, homeDistance.current * 1.8);
      c.update();
    } else {
      camera.lookAt(pose.target);
    }
    invalidate();
  }, [bounds, camera, gl, invalidate]);

  useEffect(() => {
    viewCommands.resetView = () => {
      const size = gl.domElement.getBoundingClientRect();
      const pose = homePose(bounds, size.width / Math.max(1, size.height), camera.fov, scratchPose);
      fly(pose.position, pose.target);
    };
    viewCommands.northUp = () => {
      const c = controls.current;
      if (!c) return;
      // same target, distance and tilt; camera moved to the south of the target
      offset.copy(camera.position).sub(c.target);
      const horizontal = Math.hypot(offset.x, offset.z);
      scratchPose.target.copy(c.target);
      scratchPose.position.set(c.target.x, camera.position.y, c.target.z + horizontal);
      fly(scratchPose.position, scratchPose.target);
    };
    return () => {
      viewCommands.resetView = () => {};
      viewCommands.northUp = () => {};
    };
  }, [bounds, camera, gl, fly]);

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
      c.update();
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
    // arrow keys pan, as on a map
    c.listenToKeyEvents(window as unknown as HTMLElement);
    return () => c.stopListenToKeyEvents();
  }, []);

  return (
    <OrbitControls
      ref={controls}
      makeDefault
      enableDamping
      dampingFactor={0.09}
      minDistance={MIN_DISTANCE_M}
      maxDistance={16000}
      maxPolarAngle={MAX_POLAR}
      screenSpacePanning={false}
      zoomToCursor
      keyPanSpeed={40}
      mouseButtons={{ LEFT: MOUSE.PAN, MIDDLE: MOUSE.DOLLY, RIGHT: MOUSE.ROTATE }}
      touches={{ ONE: TOUCH.PAN, TWO: TOUCH.DOLLY_ROTATE }}
      onChange={clampTarget}
      onStart={() => {
        flight.current.active = false;
      }}
    />
  );
}
