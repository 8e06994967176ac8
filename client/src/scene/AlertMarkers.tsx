/**
 * A ring above every building that matches an alert rule (tools/alerts.ts via state/toolRuntime.ts), in ONE draw call:
 * a Points layer with a fixed pixel size, drawn over the buildings so a mark is seen from any angle. The positions
 * buffer is sized for the district once; when the marks change the matching roofs are copied in and the draw range
 * set (no allocation in the frame loop). Colour: ALERT_RGB in buildingColours.ts, the one place colours come from.
 */
import { useEffect, useMemo, useRef } from 'react';
import { useFrame } from '@react-three/fiber';
import { BufferAttribute, BufferGeometry, Color, ShaderMaterial, SRGBColorSpace, type Points } from 'three';
import type { District } from '@models/district.ts';
import { alertEvaluator, alertVersion } from '../state/toolRuntime.ts';
import { ALERT_RGB } from './buildingColours.ts';
import { buildingsGeometryOf } from './districtCache.ts';

/** Ring diameter in CSS pixels (scaled by the device pixel ratio in the shader). */
const RING_PX = 22;
/** Height of the ring above the roof, metres. */
const LIFT_M = 18;

const VERTEX = /* glsl */ `
uniform float uSize;
void main() {
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
  gl_PointSize = uSize;
}
`;

const FRAGMENT = /* glsl */ `
uniform vec3 uColour;
void main() {
  float r = length(gl_PointCoord - vec2(0.5)) * 2.0;
  float w = fwidth(r);
  float ring = smoothstep(0.55 - w, 0.55 + w, r) * (1.0 - smoothstep(0.95 - w, 0.95 + w, r));
  float centre = 1.0 - smoothstep(0.22 - w, 0.22 + w, r);
  float a = max(ring, centre);
  if (a < 0.02) discard;
  gl_FragColor = vec4(uColour, a);
  #include <colorspace_fragment>
}
`;

export function AlertMarkers({ district }: { district: District }) {
  const geo = buildingsGeometryOf(district);
  const n = district.buildings.length;
  const points = useRef<Points>(null);
  const seen = useRef(-2);
  const geometry = useMemo(() => {
    const g = new BufferGeometry();
    g.setAttribute('position', new BufferAttribute(new Float32Array(Math.max(1, n) * 3), 3));
    g.setDrawRange(0, 0);
    return g;
  }, [n]);
  const material = useMemo(
    () =>
      new ShaderMaterial({
        vertexShader: VERTEX,
        fragmentShader: FRAGMENT,
        uniforms: {
          uColour: { value: new Color().setRGB(ALERT_RGB[0], ALERT_RGB[1], ALERT_RGB[2], SRGBColorSpace) },
          uSize: { value: RING_PX * (typeof window === 'undefined' ? 1 : window.devicePixelRatio || 1) },
        },
        transparent: true,
        depthTest: false,
        depthWrite: false,
      }),
    [],
  );
  useEffect(
    () => () => {
      geometry.dispose();
      material.dispose();
    },
    [geometry, material],
  );

  useFrame(({ gl }) => {
    const version = alertVersion();
    const dpr = gl.getPixelRatio();
    material.uniforms.uSize!.value = RING_PX * dpr;
    if (version === seen.current) return;
    seen.current = version;
    const evaluator = alertEvaluator();
    const pos = geometry.getAttribute('position') as BufferAttribute;
    const out = pos.array as Float32Array;
    const roofs = geo.roofCentres;
    let k = 0;
    if (evaluator && evaluator.district === district && evaluator.markedCount > 0) {
      const marked = evaluator.marked;
      for (let i = 0; i < n; i++) {
        if (marked[i] !== 1) continue;
        out[k * 3] = roofs[i * 3]!;
        out[k * 3 + 1] = roofs[i * 3 + 1]! + LIFT_M;
        out[k * 3 + 2] = roofs[i * 3 + 2]!;
        k++;
      }
    }
    geometry.setDrawRange(0, k);
    pos.needsUpdate = true;
    // the points move with no bounding sphere worth computing: never culled
    if (points.current) points.current.visible = k > 0;
  });

  return <points ref={points} geometry={geometry} material={material} frustumCulled={false} renderOrder={20} />;
}
