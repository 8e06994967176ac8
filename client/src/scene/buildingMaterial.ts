/**
 * The material for the merged buildings: MeshStandardMaterial (lights, fog) whose colour comes from the per-building
 * data texture written by buildingColours.ts. Flat-shaded from screen-space derivatives, so the geometry carries no
 * normals. Stale buildings are grey with diagonal hatching anchored in world space; the stripe period steps by powers
 * of two with the zoom so the hatch stays visible (≈ 10 px) from a street view to the whole district.
 */
import { ALERT_RGB } from './buildingColours.ts';
import { Color, DataTexture, MeshStandardMaterial, SRGBColorSpace, NearestFilter, RGBAFormat, UnsignedByteType, type IUniform } from 'three';

/** Width of the building data texture; rows = ⌈buildings / width⌉ (stays under any GPU's texture limit at 50k+). */
export const BUILDING_TEX_WIDTH = 256;

export function createBuildingTexture(count: number): { texture: DataTexture; data: Uint8Array } {
  const rows = Math.max(1, Math.ceil(count / BUILDING_TEX_WIDTH));
  const data = new Uint8Array(BUILDING_TEX_WIDTH * rows * 4);
  const texture = new DataTexture(data, BUILDING_TEX_WIDTH, rows, RGBAFormat, UnsignedByteType);
  texture.magFilter = NearestFilter;
  texture.minFilter = NearestFilter;
  texture.generateMipmaps = false;
  texture.flipY = false;
  texture.needsUpdate = true;
  return { texture, data };
}

/**
 * Share of the data colour added unlit (uSelfLit). scene/timeOfDay.ts gives roofs (1 − this) × π of light, so that a
 * roof's lit colour equals its data colour exactly: the legend reads true at any hour.
 */
export const BUILDING_SELF_LIT = 0.32;

/**
 * Uniforms shared by every building material, written by scene/Lighting.tsx from the time of day: `uNight` (0 by day,
 * 1 at night) darkens walls and lights windows. Walls only: roofs, where the legend is read, are never touched.
 */
export const buildingLighting = { uNight: { value: 0 } as IUniform<number> };

export interface BuildingMaterialUniforms {
  uBuildingTex: IUniform<DataTexture>;
  uBuildingTexWidth: IUniform<number>;
  /** Share of the data colour added unlit, so shaded walls still read as their colour and roofs match the legend. */
  uSelfLit: IUniform<number>;
  /** Alert marks' colour, linear (from buildingColours.ts ALERT_RGB). */
  uAlertColour: IUniform<Color>;
}

const VERTEX_PARS = /* glsl */ `
attribute vec3 aBuilding;
attribute vec2 aWall;
uniform highp sampler2D uBuildingTex;
uniform int uBuildingTexWidth;
varying vec3 vTwinColour;
varying float vTwinFlags;
varying float vTwinFloorH;
varying float vTwinHeight;
varying vec2 vTwinWall;
varying vec3 vTwinWorld;
vec3 twinSrgbToLinear(vec3 c) {
  return mix(c / 12.92, pow((c + 0.055) / 1.055, vec3(2.4)), step(vec3(0.04045), c));
}
`;

const VERTEX_MAIN = /* glsl */ `
  int twinIndex = int(aBuilding.x + 0.5);
  vec4 twinTexel = texelFetch(uBuildingTex, ivec2(twinIndex % uBuildingTexWidth, twinIndex / uBuildingTexWidth), 0);
  vTwinColour = twinSrgbToLinear(twinTexel.rgb);
  vTwinFlags = twinTexel.a * 255.0;
  vTwinFloorH = aBuilding.y;
  vTwinHeight = aBuilding.z;
  vTwinWall = aWall;
  vTwinWorld = (modelMatrix * vec4(transformed, 1.0)).xyz;
`;

const FRAGMENT_PARS = /* glsl */ `
uniform float uSelfLit;
uniform float uNight;
uniform vec3 uAlertColour;
varying vec3 vTwinColour;
varying float vTwinFlags;
varying float vTwinFloorH;
varying float vTwinHeight;
varying vec2 vTwinWall;
varying vec3 vTwinWorld;

// 1 on the dark half of a stripe of period 1 in s, antialiased.
float twinStripe(float s) {
  float w = fwidth(s);
  float d = abs(fract(s) - 0.5);
  return smoothstep(0.25 - w, 0.25 + w, d);
}
`;

const FRAGMENT_COLOUR = /* glsl */ `
  int twinFlags = int(vTwinFlags + 0.5);
  float twinWindow = 0.0;
  vec3 twinBase = vTwinColour;
  vec3 twinN = normalize(cross(dFdx(vTwinWorld), dFdy(vTwinWorld)));
  float twinWall = 1.0 - step(0.7, abs(twinN.y));
  float twinMpp = max(length(fwidth(vTwinWorld)), 1e-3);
  if ((twinFlags & 1) != 0) {
    // stale: hatched so it can never pass for a live low value
    float lvl = max(log2(twinMpp * 10.0), 1.5);
    float l0 = floor(lvl);
    float u = vTwinWorld.x - vTwinWorld.z + vTwinWorld.y;
    float h = mix(twinStripe(u / exp2(l0)), twinStripe(u / exp2(l0 + 1.0)), lvl - l0);
    twinBase *= mix(1.0, 0.5, h);
  }
  if (twinWall > 0.5) {
    // floor lines, only where they are at least a few pixels apart
    float fy = vTwinWorld.y / max(vTwinFloorH, 2.5);
    float fw = fwidth(fy);
    float line = 1.0 - smoothstep(0.0, fw * 1.2, abs(fract(fy + 0.5) - 0.5));
    twinBase *= 1.0 - 0.16 * line * (1.0 - smoothstep(0.12, 0.3, fw));
    // ground contact: a soft darkening at the foot of the walls
    twinBase *= mix(0.62, 1.0, smoothstep(0.0, 28.0, vTwinWorld.y));
    // crisp light edges along the roof line and the corners, about a pixel wide at any zoom, so even the darkest
    // ramp colour reads against the night-dark ground
    float top = vTwinHeight - vTwinWorld.y;
    float corner = min(vTwinWall.x, vTwinWall.y);
    float edge = max(1.0 - smoothstep(0.0, fwidth(top) * 1.6, top), 1.0 - smoothstep(0.0, fwidth(corner) * 1.3, corner));
    twinBase = mix(twinBase, twinBase * 0.55 + vec3(0.32), edge * 0.55);
    if (uNight > 0.0) {
      // night: walls fall back, windows light up (not on stale buildings: "no fresh data" must not glow like a value) — a grid of 4 m bays by floors, about 45 % lit, hashed per window;
      // where windows are under a pixel they fade to their average glow instead of shimmering
      float bay = vTwinWall.x / 4.0;
      float fl = vTwinWorld.y / max(vTwinFloorH, 2.5);
      vec2 cell = floor(vec2(bay, fl));
      float lit = step(0.55, fract(sin(dot(vec3(cell, vTwinHeight), vec3(12.9898, 78.233, 37.719))) * 43758.5453));
      vec2 f = fract(vec2(bay, fl));
      float pane = step(0.18, f.x) * step(f.x, 0.82) * step(0.28, f.y) * step(f.y, 0.82);
      float tiny = smoothstep(0.25, 0.6, max(fwidth(bay), fwidth(fl)));
      twinWindow = uNight * mix(lit * pane, 0.08, tiny) * step(2.0, vTwinWorld.y) * step(vTwinWorld.y, vTwinHeight - 1.0) * float((twinFlags & 1) == 0);
      twinBase *= 1.0 - 0.45 * uNight;
    }
  }
  if ((twinFlags & 8) != 0) {
    // does not match the planner's filters: dimmed and greyed, still there (not hidden)
    float twinLuma = dot(twinBase, vec3(0.2126, 0.7152, 0.0722));
    twinBase = mix(twinBase, vec3(twinLuma), 0.7) * 0.13;
    twinWindow *= 0.25;
  }
  if ((twinFlags & 32) != 0 && (twinFlags & 8) == 0) {
    // outside the selected cluster: faded to context, its hue still readable, so the cluster in focus stands out
    float twinLuma = dot(twinBase, vec3(0.2126, 0.7152, 0.0722));
    twinBase = mix(twinBase, vec3(twinLuma), 0.6) * 0.22;
    twinWindow *= 0.5;
  }
  if ((twinFlags & 16) != 0 && twinWall > 0.5) {
    // matches an alert rule: roof line and corners in the alert colour (ALERT_RGB in buildingColours.ts)
    float top = vTwinHeight - vTwinWorld.y;
    float corner = min(vTwinWall.x, vTwinWall.y);
    float mark = max(1.0 - smoothstep(0.0, fwidth(top) * 3.0, top), 1.0 - smoothstep(0.0, fwidth(corner) * 2.5, corner));
    twinBase = mix(twinBase, uAlertColour, mark);
  }
  diffuseColor.rgb = twinBase;
`;

const FRAGMENT_EMISSIVE = /* glsl */ `
  totalEmissiveRadiance += diffuseColor.rgb * uSelfLit;
  // selected: a light lift only (the outline marks it), so its data colour still reads against the legend
  if ((twinFlags & 4) != 0) totalEmissiveRadiance += vec3(0.12);
  totalEmissiveRadiance += twinWindow * vec3(1.0, 0.86, 0.62) * 0.6;
`;

export function createBuildingMaterial(texture: DataTexture): MeshStandardMaterial & { userData: { uniforms: BuildingMaterialUniforms } } {
  const uniforms: BuildingMaterialUniforms = {
    uBuildingTex: { value: texture },
    uBuildingTexWidth: { value: BUILDING_TEX_WIDTH },
    uSelfLit: { value: BUILDING_SELF_LIT },
    uAlertColour: { value: new Color().setRGB(ALERT_RGB[0], ALERT_RGB[1], ALERT_RGB[2], SRGBColorSpace) },
  };
  const material = new MeshStandardMaterial({
    color: 0xffffff,
    roughness: 0.82,
    metalness: 0.0,
    flatShading: true,
    // pushed back a little so landmark outlines drawn on the edges win the depth test
    polygonOffset: true,
    polygonOffsetFactor: 1,
    polygonOffsetUnits: 2,
  });
  material.userData.uniforms = uniforms;
  material.onBeforeCompile = (shader) => {
    Object.assign(shader.uniforms, uniforms, buildingLighting);
    shader.vertexShader = shader.vertexShader
      .replace('#include <common>', `#include <common>\n${VERTEX_PARS}`)
      .replace('#include <begin_vertex>', `#include <begin_vertex>\n${VERTEX_MAIN}`);
    shader.fragmentShader = shader.fragmentShader
      .replace('#include <common>', `#include <common>\n${FRAGMENT_PARS}`)
      .replace('#include <color_fragment>', `#include <color_fragment>\n${FRAGMENT_COLOUR}`)
      .replace('#include <emissivemap_fragment>', `#include <emissivemap_fragment>\n${FRAGMENT_EMISSIVE}`);
  };
  material.customProgramCacheKey = () => 'westbund-buildings-5';
  return material as MeshStandardMaterial & { userData: { uniforms: BuildingMaterialUniforms } };
}
