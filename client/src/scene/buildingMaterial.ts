/**
 * The material for the merged buildings: MeshStandardMaterial (lights, fog) whose colour comes from the per-building
 * data texture written by buildingColours.ts. Flat-shaded from screen-space derivatives, so the geometry carries no
 * normals. Stale buildings are grey with diagonal hatching anchored in world space; the stripe period steps by powers
 * of two with the zoom so the hatch stays visible (≈ 10 px) from a street view to the whole district.
 */
import { DataTexture, MeshStandardMaterial, NearestFilter, RGBAFormat, UnsignedByteType, type IUniform } from 'three';

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

export interface BuildingMaterialUniforms {
  uBuildingTex: IUniform<DataTexture>;
  uBuildingTexWidth: IUniform<number>;
  /** Share of the data colour added unlit, so shaded walls still read as their colour and roofs match the legend. */
  uSelfLit: IUniform<number>;
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
  }
  diffuseColor.rgb = twinBase;
`;

const FRAGMENT_EMISSIVE = /* glsl */ `
  totalEmissiveRadiance += diffuseColor.rgb * uSelfLit;
  // selected: a light lift only (the outline marks it), so its data colour still reads against the legend
  if ((twinFlags & 4) != 0) totalEmissiveRadiance += vec3(0.12);
`;

export function createBuildingMaterial(texture: DataTexture): MeshStandardMaterial & { userData: { uniforms: BuildingMaterialUniforms } } {
  const uniforms: BuildingMaterialUniforms = {
    uBuildingTex: { value: texture },
    uBuildingTexWidth: { value: BUILDING_TEX_WIDTH },
    uSelfLit: { value: 0.32 },
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
    Object.assign(shader.uniforms, uniforms);
    shader.vertexShader = shader.vertexShader
      .replace('#include <common>', `#include <common>\n${VERTEX_PARS}`)
      .replace('#include <begin_vertex>', `#include <begin_vertex>\n${VERTEX_MAIN}`);
    shader.fragmentShader = shader.fragmentShader
      .replace('#include <common>', `#include <common>\n${FRAGMENT_PARS}`)
      .replace('#include <color_fragment>', `#include <color_fragment>\n${FRAGMENT_COLOUR}`)
      .replace('#include <emissivemap_fragment>', `#include <emissivemap_fragment>\n${FRAGMENT_EMISSIVE}`);
  };
  material.customProgramCacheKey = () => 'westbund-buildings-2';
  return material as MeshStandardMaterial & { userData: { uniforms: BuildingMaterialUniforms } };
}
