/**
 * Every building in ONE draw call: the merged extrusion from geometry.ts, coloured per building from a data texture.
 * This component renders once per district; live ticks reach it only through `live.version` read in useFrame.
 */
import { useEffect, useMemo, useRef } from 'react';
import { invalidate, useFrame } from '@react-three/fiber';
import { Line } from '@react-three/drei';
import type { Mesh } from 'three';
import type { District } from '@models/district.ts';
import type { MetricId } from '@models/metrics.ts';
import { buildingIndexOf, compareBuffer, frameSource, sourceIsStale, useTwin, type LiveBuffer } from '../state/store.ts';
import { writeBuildingColours } from './buildingColours.ts';
import type { Filters } from '@models/view.ts';
import { filterMask, filtersActive } from '../tools/filterMask.ts';
import { alertEvaluator, alertVersion, publishFilterCount } from '../state/toolRuntime.ts';
import { createBuildingMaterial, createBuildingTexture } from './buildingMaterial.ts';
import { buildingsGeometryOf } from './districtCache.ts';
import { prebuildBvh } from './picking.ts';
import { sceneRefs } from './sceneRefs.ts';
import { markColoursWritten, markFrameRendered } from './testHook.ts';
import { markOnce } from '../perfMarks.ts';

/** What the colours on screen were written from; compared each frame to skip redundant texture uploads. */
interface Written {
  source: LiveBuffer | null;
  version: number;
  /** compareBuffer.version when compare is on, −1 when off. */
  compareVersion: number;
  metric: MetricId | null;
  stale: boolean;
  staleAfterS: number;
  selected: string | null;
  /** The selected cluster, whose buildings keep their colours while the rest fade to context. */
  focus: string | null;
  /** view.filters written (the object: the view state replaces it on every change). */
  filters: Filters | null;
  /** The alert evaluator's version (its marks), −1 without one. */
  alertVersion: number;
}

export function Buildings({ district }: { district: District }) {
  const geo = buildingsGeometryOf(district);
  const { texture, data } = useMemo(() => createBuildingTexture(district.buildings.length), [district]);
  const material = useMemo(() => createBuildingMaterial(texture), [texture]);
  const meshRef = useRef<Mesh>(null);
  const written = useRef<Written>({ source: null, version: -1, compareVersion: -1, metric: null, stale: false, staleAfterS: -1, selected: null, focus: null, filters: null, alertVersion: -2 });
  // 1 = matches the planner's filters (tools/filterMask.ts), allocated once per district
  const mask = useMemo(() => new Uint8Array(district.buildings.length), [district]);

  useEffect(() => {
    markOnce('twin:buildings-mounted');
    sceneRefs.buildings = meshRef.current;
    sceneRefs.buildingsGeometry = geo;
    written.current.version = -1;
    invalidate();
    // build the picking tree while idle, so the first click or hover does not pay for it (≈ 0.5 s at 50,000 buildings)
    const idle = window.requestIdleCallback?.(() => prebuildBvh(geo.geometry), { timeout: 5000 });
    return () => {
      if (idle !== undefined) window.cancelIdleCallback?.(idle);
      if (sceneRefs.buildings === meshRef.current) sceneRefs.buildings = null;
      texture.dispose();
      material.dispose();
      geo.geometry.dispose();
    };
  }, [geo, texture, material]);

  // Staleness on the client clock changes without any event: look once a second, render only if it flipped.
  useEffect(() => {
    const id = window.setInterval(() => {
      if (sourceIsStale(frameSource(), performance.now(), useTwin.getState().staleAfterS) !== written.current.stale) invalidate();
    }, 1000);
    return () => window.clearInterval(id);
  }, []);

  useFrame(() => {
    const { view, staleAfterS } = useTwin.getState();
    const { metric } = view;
    const selected = view.selection?.kind === 'building' ? view.selection.id : null;
    const focus = view.selection?.kind === 'cluster' ? view.selection.id : null;
    const source = frameSource();
    const compareVersion = view.compare.kind === 'off' ? -1 : compareBuffer.version;
    const now = performance.now();
    const stale = sourceIsStale(source, now, staleAfterS);
    const w = written.current;
    if (
      w.source === source &&
      w.version === source.version &&
      w.compareVersion === compareVersion &&
      w.metric === metric &&
      w.stale === stale &&
      w.staleAfterS === staleAfterS &&
      w.selected === selected &&
      w.focus === focus &&
      w.filters === view.filters &&
      w.alertVersion === alertVersion()
    )
      return;
    const selectedIndex = selected === null ? -1 : buildingIndexOf(selected);
    // filters dim what does not match, judged on the values on screen (live or replayed)
    const filtering = filtersActive(view.filters);
    publishFilterCount(filtering ? filterMask(district, view.filters, metric, source, mask) : -1);
    const evaluator = alertEvaluator();
    const marks = evaluator && evaluator.markedCount > 0 && evaluator.district === district ? evaluator.marked : null;
    writeBuildingColours(metric, source, district, data, now, staleAfterS, selectedIndex, compareVersion >= 0 ? compareBuffer : null, filtering ? mask : null, marks, focus);
    texture.needsUpdate = true;
    w.source = source;
    w.version = source.version;
    w.compareVersion = compareVersion;
    w.metric = metric;
    w.stale = stale;
    w.staleAfterS = staleAfterS;
    w.selected = selected;
    w.focus = focus;
    w.filters = view.filters;
    w.alertVersion = alertVersion();
    if (source.hasFrame && source.datasetVersion === district.version) markFrameRendered(source.clock === 'live' ? source.seq : -1, source.clock === 'replay' ? source.tsMs : null);
    else markColoursWritten();
  });

  return <mesh ref={meshRef} geometry={geo.geometry} material={material} />;
}

/** Landmarks get a fine warm outline (one extra draw call for all of them) so they read at a glance. */
export function LandmarkOutlines({ district }: { district: District }) {
  const geo = buildingsGeometryOf(district);
  const points = useMemo(() => {
    const e = geo.landmarkEdges;
    const pts: [number, number, number][] = [];
    for (let i = 0; i < e.length; i += 3) pts.push([e[i]!, e[i + 1]!, e[i + 2]!]);
    return pts;
  }, [geo]);
  if (points.length < 2) return null;
  return <Line points={points} segments color="#ffe3ad" lineWidth={1.4} transparent opacity={0.85} depthWrite={false} renderOrder={10} />;
}
