/**
 * Bench-page measures for the 50,000-building work (issue 9), driven by tests/bench/scale.client.bench.ts:
 *
 * - `colourPass`: the colour pass alone (`writeBuildingColours`, as Buildings.tsx runs it) and the data-texture upload
 *   (`renderer.initTexture` after `needsUpdate`, i.e. the texSubImage2D the next render would issue), against the
 *   same pass with the per-building ramp function it used before the lookup tables (kept here as the baseline).
 * - `batched`: three.js `BatchedMesh` with one geometry (ExtrudeGeometry of the footprint) and one instance per
 *   building, coloured per instance with `setColorAt`, next to the client's merged mesh + data texture: draw calls,
 *   build time, time to apply one tick's colours, buffer bytes uploaded to the GPU, JS heap growth.
 */
import {
  AmbientLight,
  BatchedMesh,
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
  type BufferGeometry,
  type Texture,
  type WebGLRenderer,
} from 'three';
import type { District } from '@models/district.ts';
import { encodeFrame, FRAME_KIND, Q_MAX } from '@models/frame.codec.ts';
import { rampInto, rampPosition, RAMP_RGB, STALE_RGB } from '@models/colour.ts';
import { METRICS } from '@models/metrics.ts';
import { buildBuildingsGeometry, projectRing } from '../src/scene/geometry.ts';
import { createBuildingMaterial, createBuildingTexture } from '../src/scene/buildingMaterial.ts';
import { FLAG_STALE, writeBuildingColours } from '../src/scene/buildingColours.ts';
import { applyFrame, live, setDistrict } from '../src/state/store.ts';

export interface ColourPassResult {
  buildings: number;
  passMs: number[];
  uploadMs: number[];
  baselinePassMs: number[];
}

export interface BatchedResult {
  buildings: number;
  kind: 'merged' | 'batched';
  calls: number;
  triangles: number;
  buildMs: number;
  applyMs: number[];
  renderMs: number[];
  gpuBytes: number;
  heapBytes: number | null;
  multiDraw: boolean;
}

const K = 8;

/** K binary frames with values spread over the domain (≈ 2 % without a fresh value), applied to the live buffer. */
function frames(d: District): ArrayBuffer[] {
  const n = d.buildings.length;
  const out: ArrayBuffer[] = [];
  const occupancy = new Float32Array(n);
  const computeLoad = new Float32Array(n);
  const zeros = new Uint8Array(n);
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < n; i++) {
      occupancy[i] = (i * 7 + k * 13) % 50 === 0 ? NaN : ((i * 31 + k * 17) % 251) / 250;
      computeLoad[i] = ((i * 11 + k * 5) % 251) / 250;
    }
    const bytes = encodeFrame({ kind: FRAME_KIND.live, datasetVersion: d.version, seq: k + 1, tsMs: Date.now() }, { occupancy, computeLoad, occupancyIngest: zeros, computeIngest: zeros });
    out.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  }
  return out;
}

const rgb = new Float32Array(3);

/** The colour pass as it was before the lookup tables (live metric, no compare): a ramp function per building. */
function baselinePass(q: Uint8Array, n: number, out: Uint8Array): void {
  const def = METRICS.occupancy;
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    const v = q[i]!;
    if (v > Q_MAX) {
      out[o] = STALE_RGB[0];
      out[o + 1] = STALE_RGB[1];
      out[o + 2] = STALE_RGB[2];
      out[o + 3] = FLAG_STALE;
      continue;
    }
    rampInto(rampPosition((v / Q_MAX) * def.displayScale, def.domain), rgb, 0);
    out[o] = Math.round(rgb[0]! * 255);
    out[o + 1] = Math.round(rgb[1]! * 255);
    out[o + 2] = Math.round(rgb[2]! * 255);
    out[o + 3] = 0;
  }
}

export function colourPass(renderer: WebGLRenderer, d: District, reps: number): ColourPassResult {
  const n = d.buildings.length;
  setDistrict(d);
  const fs = frames(d);
  const { texture, data } = createBuildingTexture(n);
  renderer.initTexture(texture);
  const passMs: number[] = [];
  const uploadMs: number[] = [];
  const baselinePassMs: number[] = [];
  for (let i = 0; i < reps + 20; i++) {
    applyFrame(fs[i % K]!, performance.now());
    const t0 = performance.now();
    writeBuildingColours('occupancy', live, d, data, performance.now(), 120, i % n);
    const t1 = performance.now();
    texture.needsUpdate = true;
    renderer.initTexture(texture);
    const t2 = performance.now();
    baselinePass(live.occupancyQ, n, data);
    const t3 = performance.now();
    if (i >= 20) {
      passMs.push(t1 - t0);
      uploadMs.push(t2 - t1);
      baselinePassMs.push(t3 - t2);
    }
  }
  texture.dispose();
  return { buildings: n, passMs, uploadMs, baselinePassMs };
}

function heap(): number | null {
  const m = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
  return m ? m.usedJSHeapSize : null;
}

function bytesOf(g: BufferGeometry): number {
  let b = g.index ? g.index.array.byteLength : 0;
  for (const a of Object.values(g.attributes)) b += (a.array as ArrayBufferView).byteLength;
  return b;
}

function textureBytes(t: Texture | null): number {
  const img = t?.image as { data?: ArrayBufferView } | undefined;
  return img?.data ? img.data.byteLength : 0;
}

function camera(canvas: HTMLCanvasElement, bounds: { minX: number; maxX: number; minZ: number; maxZ: number }, maxHeightM: number): PerspectiveCamera {
  const aspect = canvas.width / canvas.height;
  const cam = new PerspectiveCamera(45, aspect, 1, 1);
  const cx = (bounds.minX + bounds.maxX) / 2;
  const cz = (bounds.minZ + bounds.maxZ) / 2;
  const half = Math.max((bounds.maxZ - bounds.minZ) / 2, (bounds.maxX - bounds.minX) / 2 / aspect);
  const dist = (half / Math.tan((22.5 * Math.PI) / 180)) * 1.15 + maxHeightM;
  cam.position.set(cx, dist, cz + 0.01);
  cam.far = dist * 2;
  cam.lookAt(cx, 0, cz);
  cam.updateProjectionMatrix();
  return cam;
}

function renderLoop(renderer: WebGLRenderer, scene: Scene, cam: PerspectiveCamera, renders: number) {
  const gl = renderer.getContext();
  const px = new Uint8Array(4);
  renderer.render(scene, cam);
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
  const calls = renderer.info.render.calls;
  const triangles = renderer.info.render.triangles;
  const renderMs: number[] = [];
  for (let i = 0; i < renders; i++) {
    const t0 = performance.now();
    renderer.render(scene, cam);
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
    renderMs.push(performance.now() - t0);
  }
  return { calls, triangles, renderMs };
}

function lit(): Scene {
  const scene = new Scene();
  scene.add(new AmbientLight(0xffffff, 1));
  const sun = new DirectionalLight(0xffffff, 1.5);
  sun.position.set(2600, 5200, 3400);
  scene.add(sun);
  return scene;
}

/**
 * One of the two scenes, built, rendered `renders` times, and its colours applied `ticks` times (each apply includes
 * the upload: a render follows, timed with it, since BatchedMesh uploads its colour texture inside render()).
 */
export function batched(renderer: WebGLRenderer, canvas: HTMLCanvasElement, d: District, kind: 'merged' | 'batched', renders: number, ticks: number): BatchedResult {
  const n = d.buildings.length;
  setDistrict(d);
  const fs = frames(d);
  const heap0 = heap();
  const t0 = performance.now();
  const scene = lit();
  let gpuBytes = 0;
  let bounds = { minX: Infinity, maxX: -Infinity, minZ: Infinity, maxZ: -Infinity };
  let maxHeightM = 0;
  let apply: () => void;
  let dispose: () => void;
  if (kind === 'merged') {
    const geo = buildBuildingsGeometry(d);
    const { texture, data } = createBuildingTexture(n);
    const material = createBuildingMaterial(texture);
    writeBuildingColours('occupancy', live, d, data, performance.now(), 120);
    texture.needsUpdate = true;
    scene.add(new Mesh(geo.geometry, material));
    bounds = geo.bounds;
    maxHeightM = geo.maxHeightM;
    gpuBytes = bytesOf(geo.geometry) + data.byteLength;
    apply = () => {
      writeBuildingColours('occupancy', live, d, data, performance.now(), 120);
      texture.needsUpdate = true;
    };
    dispose = () => {
      geo.geometry.dispose();
      geo.contactShadows.dispose();
      material.dispose();
      texture.dispose();
    };
  } else {
    const geometries: BufferGeometry[] = [];
    let vertices = 0;
    for (const b of d.buildings) {
      const ring = projectRing(d.geography.origin, b.footprint);
      const pts: Vector2[] = [];
      for (let k = 0; k < ring.length; k += 2) {
        const x = ring[k]!;
        const z = ring[k + 1]!;
        pts.push(new Vector2(x, -z));
        if (x < bounds.minX) bounds.minX = x;
        if (x > bounds.maxX) bounds.maxX = x;
        if (z < bounds.minZ) bounds.minZ = z;
        if (z > bounds.maxZ) bounds.maxZ = z;
      }
      if (b.heightM > maxHeightM) maxHeightM = b.heightM;
      const g = new ExtrudeGeometry(new Shape(pts), { depth: b.heightM, bevelEnabled: false });
      g.rotateX(-Math.PI / 2);
      g.deleteAttribute('uv'); // flat-shaded colour only: drop what the merged mesh does not carry either
      vertices += g.getAttribute('position').count;
      geometries.push(g);
    }
    const material = new MeshStandardMaterial({ roughness: 0.82, flatShading: true });
    const mesh = new BatchedMesh(n, vertices, 0, material);
    mesh.perObjectFrustumCulled = false;
    for (const g of geometries) {
      mesh.addInstance(mesh.addGeometry(g));
      g.dispose();
    }
    const colour = new Color();
    const setColours = () => {
      const q = live.occupancyQ;
      const def = METRICS.occupancy;
      for (let i = 0; i < n; i++) {
        const v = q[i]!;
        if (v > Q_MAX) colour.setRGB(STALE_RGB[0] / 255, STALE_RGB[1] / 255, STALE_RGB[2] / 255, SRGBColorSpace);
        else {
          const j = Math.round(rampPosition((v / Q_MAX) * def.displayScale, def.domain) * 255) * 3;
          colour.setRGB(RAMP_RGB[j]! / 255, RAMP_RGB[j + 1]! / 255, RAMP_RGB[j + 2]! / 255, SRGBColorSpace);
        }
        mesh.setColorAt(i, colour);
      }
    };
    setColours();
    scene.add(mesh);
    const internals = mesh as unknown as { _matricesTexture: Texture | null; _colorsTexture: Texture | null; _indirectTexture: Texture | null };
    gpuBytes = bytesOf(mesh.geometry) + textureBytes(internals._matricesTexture) + textureBytes(internals._colorsTexture) + textureBytes(internals._indirectTexture);
    apply = setColours;
    dispose = () => {
      mesh.dispose();
      material.dispose();
    };
  }
  const cam = camera(canvas, bounds, maxHeightM);
  const buildMs = performance.now() - t0;
  const r = renderLoop(renderer, scene, cam, renders);
  const heap1 = heap();
  // apply one tick = new values in, colours written, uploaded by the next render (timed with a 1-pixel readback)
  const gl = renderer.getContext();
  const px = new Uint8Array(4);
  const applyMs: number[] = [];
  for (let i = 0; i < ticks + 3; i++) {
    applyFrame(fs[i % K]!, performance.now());
    const a = performance.now();
    apply();
    renderer.render(scene, cam);
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
    if (i >= 3) applyMs.push(performance.now() - a);
  }
  dispose();
  const multiDraw = renderer.extensions.has('WEBGL_multi_draw');
  return { buildings: n, kind, buildMs, ...r, applyMs, gpuBytes, heapBytes: heap0 !== null && heap1 !== null ? heap1 - heap0 : null, multiDraw };
}

export interface DistrictLoadResult {
  mode: 'worker' | 'main';
  buildings: number;
  /** Request → district and geometry ready on the main thread, ms. */
  totalMs: number;
  /** Main-thread long tasks (≥ 50 ms) in that window: sum and longest, ms. */
  longTaskMs: number;
  longestMs: number;
}

/**
 * Load a district the way the client does, isolated from app start-up: `worker` = net/districtWorker.ts (the binary
 * footprints at `footprintsUrl` fetched and built in the district worker, the JSON parsed here), `main` = fetch + JSON.parse + buildBuildingsGeometry
 * on the main thread (the fallback, and what the client did before the worker). Long tasks from a PerformanceObserver.
 */
export async function districtLoad(url: string, mode: 'worker' | 'main', footprintsUrl?: string): Promise<DistrictLoadResult> {
  const tasks: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((l) => tasks.push(...l.getEntries()));
  observer.observe({ type: 'longtask' });
  await new Promise((r) => setTimeout(r, 50));
  const t0 = performance.now();
  let buildings = 0;
  if (mode === 'worker') {
    const { fetchDistrictInWorker } = await import('../src/net/districtWorker.ts');
    const d = await fetchDistrictInWorker(url, footprintsUrl);
    buildings = d.buildings.length;
  } else {
    const res = await fetch(url);
    const d = (await res.json()) as District;
    const geo = buildBuildingsGeometry(d);
    buildings = d.buildings.length;
    geo.geometry.dispose();
  }
  const t1 = performance.now();
  // long-task entries are delivered asynchronously: give the observer a moment
  await new Promise((r) => setTimeout(r, 200));
  tasks.push(...observer.takeRecords());
  observer.disconnect();
  const inWindow = tasks.filter((t) => t.startTime + t.duration > t0 && t.startTime < t1);
  return {
    mode,
    buildings,
    totalMs: t1 - t0,
    longTaskMs: inWindow.reduce((s, t) => s + t.duration, 0),
    longestMs: inWindow.reduce((m, t) => Math.max(m, t.duration), 0),
  };
}
