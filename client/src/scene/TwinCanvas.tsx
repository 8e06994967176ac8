/**
 * The 3D view. Renders on demand only: a tick, a camera move or a resize asks for a frame; a wall at rest draws
 * once a second, not sixty times. Tone mapping is off (`flat`) so building colours stay true to the legend.
 */
import { Canvas, useThree } from '@react-three/fiber';
import { useEffect, useMemo } from 'react';
import type { District } from '@models/district.ts';
import { useTwin } from '../state/store.ts';
import { Buildings, LandmarkOutlines } from './Buildings.tsx';
import { AlertMarkers } from './AlertMarkers.tsx';
import { CameraRig } from './CameraRig.tsx';
import { SelectionOutline } from './SelectionOutline.tsx';
import { buildingsGeometryOf } from './districtCache.ts';
import { projectRing } from './geometry.ts';
import { Ground } from './Ground.tsx';
import { LabelProjector } from './labels/LabelProjector.tsx';
import { Lighting } from './Lighting.tsx';
import { SCENE } from './palette.ts';
import { sceneRefs } from './sceneRefs.ts';

function SceneRefsBridge() {
  const camera = useThree((s) => s.camera);
  const gl = useThree((s) => s.gl);
  const scene = useThree((s) => s.scene);
  useEffect(() => {
    sceneRefs.camera = camera;
    sceneRefs.gl = gl;
    sceneRefs.renderNow = () => gl.render(scene, camera);
    return () => {
      sceneRefs.renderNow = null;
    };
  }, [camera, gl, scene]);
  return null;
}

function DistrictScene({ district }: { district: District }) {
  const geo = buildingsGeometryOf(district);
  const outline = useMemo(() => projectRing(district.geography.origin, district.geography.boundary.polygon), [district]);
  return (
    <>
      <Ground district={district} />
      <Buildings district={district} />
      <LandmarkOutlines district={district} />
      <CameraRig bounds={geo.bounds} outline={outline} district={district} />
      <SelectionOutline district={district} />
      <AlertMarkers district={district} />
      <LabelProjector />
    </>
  );
}

export function TwinCanvas() {
  const district = useTwin((s) => s.district);
  return (
    <Canvas
      className="twin-canvas"
      frameloop="demand"
      dpr={[1, 2]}
      flat
      gl={{ antialias: true, powerPreference: 'high-performance' }}
      camera={{ fov: 34, near: 5, far: 60_000, position: [6000, 5000, 2000] }}
    >
      <color attach="background" args={[SCENE.background]} />
      <fog attach="fog" args={[SCENE.background, 9000, 30_000]} />
      <Lighting />
      <SceneRefsBridge />
      {district && <DistrictScene district={district} />}
    </Canvas>
  );
}
