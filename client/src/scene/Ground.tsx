/**
 * The context under the buildings: a faint base grid, the district plate, cluster zones, the river and roads.
 * All flat layers are drawn without depth writes in a fixed order (renderOrder), so nothing z-fights at 7 km.
 */
import { useEffect, useMemo } from 'react';
import { useFrame } from '@react-three/fiber';
import { Grid } from '@react-three/drei';
import { DoubleSide, MeshBasicMaterial, type BufferGeometry, type Material } from 'three';
import type { District } from '@models/district.ts';
import { buildingsGeometryOf } from './districtCache.ts';
import { polygonGeometry, ribbonsGeometry } from './geometry.ts';
import { SCENE } from './palette.ts';

const ORDER = { grid: 0, context: 1, contextFeature: 1.5, plate: 1, zoneFill: 2, water: 3, waterEdge: 4, roads: 5, bridges: 5, zoneEdge: 6, contactShadows: 7 } as const;

/**
 * The river with a little life: slow, faint streaks along the water that drift with the clock. Advanced only inside
 * frames the scene draws anyway (a tick, a camera move), so it never asks for a frame of its own; at most ±5 % of the
 * water's brightness, and water is not a data colour.
 */
const waterUniforms = { uWaterTime: { value: 0 } };
function waterMaterial(colour: string): MeshBasicMaterial {
  const m = flatMaterial(colour, 1);
  m.onBeforeCompile = (shader) => {
    Object.assign(shader.uniforms, waterUniforms);
    shader.vertexShader = shader.vertexShader
      .replace('#include <common>', '#include <common>\nvarying vec2 vWaterXZ;')
      .replace('#include <begin_vertex>', '#include <begin_vertex>\nvWaterXZ = (modelMatrix * vec4(transformed, 1.0)).xz;');
    shader.fragmentShader = shader.fragmentShader
      .replace('#include <common>', '#include <common>\nuniform float uWaterTime;\nvarying vec2 vWaterXZ;')
      .replace(
        '#include <color_fragment>',
        `#include <color_fragment>
        float wt = uWaterTime * 0.35;
        float ripple = sin(vWaterXZ.x * 0.011 + vWaterXZ.y * 0.004 + wt) * sin(vWaterXZ.y * 0.017 - vWaterXZ.x * 0.006 - wt * 0.7);
        diffuseColor.rgb *= 1.0 + 0.05 * ripple;`,
      );
  };
  m.customProgramCacheKey = () => 'westbund-water-1';
  return m;
}

function flatMaterial(colour: string, opacity: number): MeshBasicMaterial {
  return new MeshBasicMaterial({ color: colour, transparent: true, opacity, depthWrite: false, side: DoubleSide });
}

interface Layer {
  key: string;
  geometry: BufferGeometry;
  material: Material;
  order: number;
}

export function Ground({ district }: { district: District }) {
  const layers = useMemo<Layer[]>(() => {
    const { origin, boundary, water, roads, bridges = [], context = [] } = district.geography;
    const out: Layer[] = [];
    // across the river, low and quiet: the Pudong bank first, then the Expo site and Houtan Park on it
    for (const c of [...context].sort((a, b) => Number(b.kind === 'land') - Number(a.kind === 'land'))) {
      out.push({ key: `context-${c.id}`, geometry: polygonGeometry(origin, c.polygon, 0), material: flatMaterial(SCENE.context[c.kind], 1), order: c.kind === 'land' ? ORDER.context : ORDER.contextFeature });
    }
    out.push({ key: 'plate', geometry: polygonGeometry(origin, boundary.polygon, 0), material: flatMaterial(SCENE.ground, 1), order: ORDER.plate });
    for (const c of district.clusters) {
      out.push({ key: `zone-${c.id}`, geometry: polygonGeometry(origin, c.zone, 0), material: flatMaterial(c.colour, 0.12), order: ORDER.zoneFill });
      out.push({
        key: `zone-edge-${c.id}`,
        geometry: ribbonsGeometry(origin, [{ line: c.zone, widthM: 7, closed: true }], 0),
        material: flatMaterial(c.colour, 0.5),
        order: ORDER.zoneEdge,
      });
    }
    // unlit like the other ground layers (each program costs seconds to compile under software WebGL, where the
    // browser tests run): one program for the flat layers, one for the water's shimmer
    const riverMaterial = waterMaterial(SCENE.water);
    for (const w of water) {
      out.push({ key: `water-${w.id}`, geometry: polygonGeometry(origin, w.polygon, 0), material: riverMaterial, order: ORDER.water });
      out.push({
        key: `water-edge-${w.id}`,
        geometry: ribbonsGeometry(origin, [{ line: w.polygon, widthM: 5, closed: true }], 0),
        material: flatMaterial(SCENE.waterEdge, 0.55),
        order: ORDER.waterEdge,
      });
    }
    out.push({
      key: 'contact-shadows',
      geometry: buildingsGeometryOf(district).contactShadows,
      material: new MeshBasicMaterial({ vertexColors: true, transparent: true, depthWrite: false, side: DoubleSide }),
      order: ORDER.contactShadows,
    });
    if (roads.length > 0) {
      out.push({
        key: 'roads',
        geometry: ribbonsGeometry(origin, roads.map((r) => ({ line: r.line, widthM: r.widthM })), 0),
        material: flatMaterial(SCENE.road, 0.95),
        order: ORDER.roads,
      });
    }
    if (bridges.length > 0) {
      out.push({
        key: 'bridges',
        geometry: ribbonsGeometry(origin, bridges.map((b) => ({ line: b.line, widthM: b.widthM })), 0),
        material: flatMaterial(SCENE.bridge, 1),
        order: ORDER.bridges,
      });
    }
    return out;
  }, [district]);

  useEffect(
    () => () => {
      const materials = new Set<Material>();
      for (const l of layers) {
        l.geometry.dispose();
        materials.add(l.material);
      }
      for (const m of materials) m.dispose();
    },
    [layers],
  );

  useFrame((state) => {
    waterUniforms.uWaterTime.value = state.clock.elapsedTime;
  });

  return (
    <group>
      <Grid
        position={[0, -0.5, 0]}
        infiniteGrid
        cellSize={250}
        cellThickness={0.6}
        cellColor={SCENE.grid.cell}
        sectionSize={1000}
        sectionThickness={1}
        sectionColor={SCENE.grid.section}
        fadeDistance={26000}
        fadeStrength={1.6}
        renderOrder={ORDER.grid}
      />
      {layers.map((l) => (
        <mesh key={l.key} geometry={l.geometry} material={l.material} renderOrder={l.order} />
      ))}
    </group>
  );
}
