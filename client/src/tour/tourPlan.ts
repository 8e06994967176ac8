/**
 * The /tour attract loop's plan and captions, pure (unit-tested in tests/unit/tour.test.ts).
 *
 * The plan is derived from the district, not kept in a file of its own: the district overview, then each of its
 * clusters in the order district.json lists them (north to south), the metric turning over step by step. The clusters
 * are already data (names, outlines, buildings); a separate tour file would repeat their ids and names and go stale when
 * the data set changes — a synthetic district of 50,000 buildings gets its tour for free. Each step is a `ViewPatch`
 * (models/view.ts), applied through the store's actions like any other driver of the view state (a story step, a
 * remote command, a person).
 *
 * Captions are filled from live numbers only: a cluster's occupancy is capacity-weighted and its compute load
 * allocation-weighted (client/src/tools/clusterFigures.ts), with the source said beside them (simulated or live
 * feed), "no live value" when there is none. No number is typed here.
 */
import type { Bilingual, District } from '@models/district.ts';
import { METRIC_IDS, type MetricId } from '@models/metrics.ts';
import type { KeyFigureRef } from '@models/story.ts';
import type { ViewPatch } from '@models/view.ts';
import type { ClusterFigures } from '../tools/clusterFigures.ts';

export interface TourStep {
  /** 'district' or the cluster id. */
  id: string;
  clusterId: string | null;
  metric: MetricId;
  /** The view this step shows; the camera is framed by the store (home view, or the cluster's frame). */
  patch: ViewPatch;
}

/** Default seconds a step stays on the wall (`?step=` on the URL overrides it, e.g. for tests and the bench). */
export const TOUR_STEP_S = 20;
/** Seconds without a touch or a key before a paused tour resumes (`?idle=` overrides it). */
export const TOUR_IDLE_S = 60;

export function tourPlan(district: Pick<District, 'clusters'>): TourStep[] {
  const steps: TourStep[] = [{ id: 'district', clusterId: null, metric: METRIC_IDS[0], patch: { selection: null, metric: METRIC_IDS[0], mode: { kind: 'live' } } }];
  district.clusters.forEach((c, i) => {
    const metric = METRIC_IDS[(i + 1) % METRIC_IDS.length]!;
    steps.push({ id: c.id, clusterId: c.id, metric, patch: { selection: { kind: 'cluster', id: c.id }, metric, mode: { kind: 'live' } } });
  });
  return steps;
}

/** The step shown at a moment: steps change on the wall clock, so the walls of one room show the same step. */
export function stepAt(nowMs: number, stepMs: number, count: number): number {
  return count === 0 ? 0 : Math.floor(nowMs / stepMs) % count;
}

/** The district's key figures on the wall, resolved like a story's (models/story.ts resolveFigure), each with its source. */
export const TOUR_FIGURES: readonly KeyFigureRef[] = [
  { kind: 'district-companies' },
  { kind: 'district-headcount' },
  { kind: 'registered-models' },
  { kind: 'pool-total-used' },
];

export type CaptionSource = 'simulated' | 'live' | null;

export interface TourCaption {
  title: Bilingual;
  /** "此刻 82 % 在岗" / "82 % occupied now", or "no live value". */
  figure: Bilingual;
  /** Where the figure comes from; null when there is none. */
  source: CaptionSource;
  /** The number shown (0..1), for tests. */
  value: number | null;
}

const pct = (v: number) => `${Math.round(v * 100)} %`;

/**
 * The caption of a step from the cluster (or district) figures now. Occupancy steps say how full the place is; the
 * compute-load step says how busy its tenants' compute is; the density step says occupancy too (density is a
 * per-area number a visitor does not read in %).
 */
export function tourCaption(step: TourStep, district: Pick<District, 'clusters'>, figures: { clusters: ClusterFigures[]; district: ClusterFigures }): TourCaption {
  const cluster = step.clusterId ? district.clusters.find((c) => c.id === step.clusterId) : undefined;
  const title: Bilingual = cluster ? cluster.name : { zh: '徐汇西岸', en: 'West Bund, Xuhui' };
  const f = (step.clusterId ? figures.clusters.find((c) => c.clusterId === step.clusterId) : figures.district) ?? null;
  const source: CaptionSource = !f ? null : f.simulatedBuildings > 0 ? 'simulated' : f.ingestBuildings > 0 ? 'live' : null;
  if (step.metric === 'computeLoad' && f && f.computeLoad !== null) {
    return { title, figure: { zh: `此刻算力负载 ${pct(f.computeLoad)}`, en: `compute ${pct(f.computeLoad)} busy now` }, source, value: f.computeLoad };
  }
  if (f && f.occupancy !== null) {
    return { title, figure: { zh: `此刻 ${pct(f.occupancy)} 在岗`, en: `${pct(f.occupancy)} occupied now` }, source, value: f.occupancy };
  }
  return { title, figure: { zh: '暂无实时数值', en: 'no live value' }, source: null, value: null };
}

export const CAPTION_SOURCE_LABEL: Record<'simulated' | 'live', Bilingual> = {
  simulated: { zh: '模拟', en: 'simulated' },
  live: { zh: '实时接入', en: 'live feed' },
};
