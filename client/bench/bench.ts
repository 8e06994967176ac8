/**
 * Bench page (NOT part of the production build: only tests/bench builds it, into a temp directory). It exposes
 * `window.__bench`, driven by tests/bench/browser.bench.ts through playwright-core in Debian's Chromium:
 *
 * - `drawCalls`: the client's real merged building mesh (geometry.ts + buildingMaterial.ts + the colour pass) against
 *   a naive scene of one ExtrudeGeometry mesh with its own MeshStandardMaterial per building, both rendered once with
 *   the whole district in view (so frustum culling removes nothing from the naive scene); counts
 *   `renderer.info.render.calls`. Only buildings are in the scene: no ground, river or landmark outlines.
 * - `applyTick`: main-thread time to apply one live tick. Ours is the client's real path: store.ts `applyFrame`
 *   (decode the header, copy the columns into the preallocated LiveBuffer, counts, version bump) then
 *   `writeBuildingColours` into the data texture's bytes and `texture.needsUpdate = true`, exactly as Buildings.tsx's
 *   useFrame does. Naive: `JSON.parse` of a JSON frame with the same information, then one
 *   `material.color.setRGB(…, SRGBColorSpace)` per building on its own mesh found by id, using the same colour LUT
 *   (so the baseline pays for JSON and per-object updates, not for a slower colour function).
 */
import {
  AmbientLight,
  BoxGeometry,
  Color,
  DirectionalLight,
  ExtrudeGeometry,
  Mesh,
  MeshStandardMaterial,
  PerspectiveCamera,
  Scene,
  Shape,
  SRGBColorSpace,
  Vector2,
  WebGLRenderer,
  type BufferGeometry,
} from 'three';
import type { District } from '@models/district.ts';
import { encodeFrame, FRAME_KIND, Q_MAX } from '@models/frame.codec.ts';
import { rampInto, STALE_RGB } from '@models/colour.ts';
import { buildBuildingsGeometry, projectRing } from '../src/scene/geometry.ts';
import { createBuildingMaterial, createBuildingTexture } from '../src/scene/buildingMaterial.ts';
import { writeBuildingColours } from '../src/scene/buildingColours.ts';
import { applyFrame, live, setDistrict, useTwin } from '../src/state/store.ts';
import { batched, colourPass, districtLoad, type BatchedResult, type ColourPassResult, type DistrictLoadResult } from './scale.ts';

export interface DrawCallResult {
  buildings: number;
  meshes: number;
  calls: number;
  triangles: number;
  /** Time to build the scene's geometry and materials, ms. */
  buildMs: number;
  /** Time per render (CPU + SwiftShader, finished with a 1-pixel readback), ms. */
  renderMs: number[];
}

export interface ApplyTickResult {
  buildings: number;
  oursMs: number[];
  naiveMs: number[];
  /** Bytes of one binary frame and of one equivalent JSON frame (as parsed here). */
  binaryBytes: number;
  jsonChars: number;
  crossOriginIsolated: boolean;
}

export interface BenchApi {
  load(url: string): Promise<number>;
  drawCalls(kind: 'merged' | 'naive', renders: number): DrawCallResult;
  applyTick(reps: number, naiveReps: number): ApplyTickResult;
  /** Issue 9 measures (client/bench/scale.ts). */
  colourPass(reps: number): ColourPassResult;
  batched(kind: 'merged' | 'batched', renders: number, ticks: number): BatchedResult;
  districtLoad(url: string, mode: 'worker' | 'main', footprintsUrl?: string): Promise<DistrictLoadResult>;
}

declare global {
  interface Window {
    __bench?: BenchApi;
  }
}

let district: District | null = null;
const canvas = document.getElementById('c') as HTMLCanvasElement;
const renderer = new WebGLRenderer({ canvas, antialias: false, preserveDrawingBuffer: false });
renderer.setPixelRatio(1);
renderer.setSize(canvas.width, canvas.height, false);
const pixel = new Uint8Array(4);

function need(): District {
  if (!district) throw new Error('load a district first');
  return district;
}

/** A camera straight above the district's bounding box, far enough to see all of it. */
function cameraFor(bounds: { minX: number; maxX: number; minZ: number; maxZ: number }, maxHeightM: number): PerspectiveCamera {
  const aspect = canvas.width / canvas.height;
  const cam = new PerspectiveCamera(45, aspect, 1, 1);
  const cx = (bounds.minX + bounds.maxX) / 2;
  const cz = (bounds.minZ + bounds.maxZ) / 2;
  const half = Math.max((bounds.maxZ - bounds.minZ) / 2, (bounds.maxX - bounds.minX) / 2 / aspect);
  const dist = (half / Math.tan((22.5 * Math.PI) / 180)) * 1.15 + maxHeightM;
  cam.position.set(cx, dist, cz + 0.01);
  cam.far = dist * 2;
  cam.near = 1;
  cam.lookAt(cx, 0, cz);
  cam.updateProjectionMatrix();
  return cam;
}

function lights(scene: Scene): void {
  scene.add(new AmbientLight(0xffffff, 1));
  const sun = new DirectionalLight(0xffffff, 1.5);
  sun.position.set(2600, 5200, 3400);
  scene.add(sun);
}

function renderTimes(scene: Scene, camera: PerspectiveCamera, renders: number): { calls: number; triangles: number; renderMs: number[] } {
  const gl = renderer.getContext();
  // first render compiles the program and uploads buffers: count its calls, time the following ones
  renderer.render(scene, camera);
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
  const calls = renderer.info.render.calls;
  const triangles = renderer.info.render.triangles;
  const renderMs: number[] = [];
  for (let i = 0; i < renders; i++) {
    const t0 = performance.now();
    renderer.render(scene, camera);
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
    renderMs.push(performance.now() - t0);
  }
  return { calls, triangles, renderMs };
}

function drawMerged(d: District, renders: number): DrawCallResult {
  const t0 = performance.now();
  const geo = buildBuildingsGeometry(d);
  const { texture, data } = createBuildingTexture(d.buildings.length);
  const material = createBuildingMaterial(texture);
  writeBuildingColours('occupancy', live, d, data, performance.now(), 120);
  texture.needsUpdate = true;
  const mesh = new Mesh(geo.geometry, material);
  const buildMs = performance.now() - t0;
  const scene = new Scene();
  lights(scene);
  scene.add(mesh);
  const r = renderTimes(scene, cameraFor(geo.bounds, geo.maxHeightM), renders);
  geo.geometry.dispose();
  material.dispose();
  texture.dispose();
  return { buildings: d.buildings.length, meshes: 1, buildMs, ...r };
}

function drawNaive(d: District, renders: number): DrawCallResult {
  const t0 = performance.now();
  const scene = new Scene();
  lights(scene);
  const geometries: BufferGeometry[] = [];
  const materials: MeshStandardMaterial[] = [];
  const bounds = { minX: Infinity, maxX: -Infinity, minZ: Infinity, maxZ: -Infinity };
  let maxHeightM = 0;
  const colour = new Float32Array(3);
  d.buildings.forEach((b, i) => {
    const ring = projectRing(d.geography.origin, b.footprint);
    const pts: Vector2[] = [];
    for (let k = 0; k < ring.length; k += 2) {
      const x = ring[k]!;
      const z = ring[k + 1]!;
      pts.push(new Vector2(x, -z));
      bounds.minX = Math.min(bounds.minX, x);
      bounds.maxX = Math.max(bounds.maxX, x);
      bounds.minZ = Math.min(bounds.minZ, z);
      bounds.maxZ = Math.max(bounds.maxZ, z);
    }
    maxHeightM = Math.max(maxHeightM, b.heightM);
    const g = new ExtrudeGeometry(new Shape(pts), { depth: b.heightM, bevelEnabled: false });
    g.rotateX(-Math.PI / 2); // shape plane (x, −z) → ground, extrusion → up
    rampInto((i % 97) / 96, colour, 0);
    const m = new MeshStandardMaterial({ color: new Color().setRGB(colour[0]!, colour[1]!, colour[2]!, SRGBColorSpace), roughness: 0.82, flatShading: true });
    geometries.push(g);
    materials.push(m);
    scene.add(new Mesh(g, m));
  });
  const buildMs = performance.now() - t0;
  const r = renderTimes(scene, cameraFor(bounds, maxHeightM), renders);
  for (const g of geometries) g.dispose();
  for (const m of materials) m.dispose();
  return { buildings: d.buildings.length, meshes: d.buildings.length, buildMs, ...r };
}

/** K distinct frames, so the colour pass really changes texels from tick to tick. */
const K = 8;

function applyTick(reps: number, naiveReps: number): ApplyTickResult {
  const d = need();
  const n = d.buildings.length;
  setDistrict(d);
  const { texture, data } = createBuildingTexture(n);

  // The same values as binary frames (what the server sends) and as JSON frames (the naive wire format).
  const frames: ArrayBuffer[] = [];
  const jsonFrames: string[] = [];
  const occupancy = new Float32Array(n);
  const computeLoad = new Float32Array(n);
  const zeros = new Uint8Array(n);
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < n; i++) {
      // ≈ 2 % without a fresh value, the rest spread over the domain
      occupancy[i] = (i * 7 + k * 13) % 50 === 0 ? NaN : ((i * 31 + k * 17) % 251) / 250;
      computeLoad[i] = ((i * 11 + k * 5) % 251) / 250;
    }
    const bytes = encodeFrame({ kind: FRAME_KIND.live, datasetVersion: d.version, seq: k + 1, tsMs: Date.now() }, { occupancy, computeLoad, occupancyIngest: zeros, computeIngest: zeros });
    frames.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    const q = (v: number) => (Number.isNaN(v) ? null : Math.round(v * Q_MAX) / Q_MAX);
    jsonFrames.push(JSON.stringify(d.buildings.map((b, i) => ({ id: b.id, occupancy: q(occupancy[i]!), computeLoad: q(computeLoad[i]!), source: 'simulated', stale: Number.isNaN(occupancy[i]!) }))));
  }

  const oursMs: number[] = [];
  const staleAfterS = useTwin.getState().staleAfterS;
  const ours = (k: number) => {
    const t0 = performance.now();
    applyFrame(frames[k % K]!, t0);
    writeBuildingColours(useTwin.getState().view.metric, live, d, data, performance.now(), staleAfterS);
    texture.needsUpdate = true;
    return performance.now() - t0;
  };
  for (let i = 0; i < 50; i++) ours(i);
  for (let i = 0; i < reps; i++) oursMs.push(ours(i));

  // Naive: a mesh and material per building, found by id.
  const box = new BoxGeometry(1, 1, 1);
  const byId = new Map<string, Mesh<BoxGeometry, MeshStandardMaterial>>();
  for (const b of d.buildings) byId.set(b.id, new Mesh(box, new MeshStandardMaterial()));
  const rgb = new Float32Array(3);
  const grey = STALE_RGB.map((c) => c / 255) as [number, number, number];
  interface JsonBuilding {
    id: string;
    occupancy: number | null;
    computeLoad: number | null;
    source: string;
    stale: boolean;
  }
  const naive = (k: number) => {
    const t0 = performance.now();
    const rows = JSON.parse(jsonFrames[k % K]!) as JsonBuilding[];
    for (const r of rows) {
      const mesh = byId.get(r.id);
      if (!mesh) continue;
      if (r.stale || r.occupancy === null) mesh.material.color.setRGB(grey[0], grey[1], grey[2], SRGBColorSpace);
      else {
        rampInto(r.occupancy, rgb, 0);
        mesh.material.color.setRGB(rgb[0]!, rgb[1]!, rgb[2]!, SRGBColorSpace);
      }
    }
    return performance.now() - t0;
  };
  const naiveMs: number[] = [];
  for (let i = 0; i < 10; i++) naive(i);
  for (let i = 0; i < naiveReps; i++) naiveMs.push(naive(i));
  for (const m of byId.values()) m.material.dispose();
  box.dispose();
  texture.dispose();

  return { buildings: n, oursMs, naiveMs, binaryBytes: frames[0]!.byteLength, jsonChars: jsonFrames[0]!.length, crossOriginIsolated: window.crossOriginIsolated };
}

window.__bench = {
  async load(url) {
    district = null;
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    district = (await res.json()) as District;
    return district.buildings.length;
  },
  drawCalls(kind, renders) {
    const d = need();
    return kind === 'merged' ? drawMerged(d, renders) : drawNaive(d, renders);
  },
  applyTick,
  colourPass: (reps) => colourPass(renderer, need(), reps),
  batched: (kind, renders, ticks) => batched(renderer, canvas, need(), kind, renders, ticks),
  districtLoad,
};
document.body.dataset.bench = 'ready';
