/**
 * The view state's camera pose (models/view.ts CameraPose: target x, z on the ground, distance, heading 0 = north,
 * tilt from straight down) ⇄ the three.js camera position and OrbitControls target. Scene axes: x east, z south, y up.
 */
import type { Vector3 } from 'three';
import type { CameraPose } from '@models/view.ts';

const DEG = Math.PI / 180;
/** The highest tilt the rig allows (just above the horizon; OrbitControls maxPolarAngle). */
export const MAX_TILT_DEG = 90 - 0.16 / DEG;

/** Write the camera position and target for a pose. */
export function poseToCamera(pose: CameraPose, position: Vector3, target: Vector3): void {
  const h = pose.heading * DEG;
  const t = Math.min(Math.max(pose.tilt, 0.01), MAX_TILT_DEG) * DEG;
  target.set(pose.x, 0, pose.z);
  // the camera stands opposite the heading: looking north (−z) it stands to the south (+z) of the target
  const horizontal = Math.sin(t) * pose.distance;
  position.set(pose.x - Math.sin(h) * horizontal, Math.cos(t) * pose.distance, pose.z + Math.cos(h) * horizontal);
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));

/** The pose of a camera at `position` looking at `target` (rounded as the URL keeps it, so a link restores it exactly). */
export function cameraToPose(position: Vector3, target: Vector3): CameraPose {
  const dx = target.x - position.x;
  const dy = target.y - position.y;
  const dz = target.z - position.z;
  const distance = Math.max(1, Math.hypot(dx, dy, dz));
  let heading = Math.atan2(dx, -dz) / DEG;
  if (Math.hypot(dx, dz) < 1e-6) heading = 0;
  if (heading < 0) heading += 360;
  const tilt = Math.acos(Math.min(1, Math.max(-1, -dy / distance))) / DEG;
  return {
    x: round(target.x, 1),
    z: round(target.z, 1),
    distance: round(Math.min(distance, 200_000), 1),
    heading: round(heading, 1) % 360,
    tilt: round(Math.min(Math.max(tilt, 0), 89), 1),
  };
}
