/**
 * The metrics a building can be coloured by. Live metrics travel in binary frames (see frame.codec.ts);
 * company metrics are derived from company records, which change slowly and travel as JSON.
 */
import type { Bilingual } from './district.ts';

export const LIVE_METRICS = ['occupancy', 'computeLoad'] as const;
export type LiveMetric = (typeof LIVE_METRICS)[number];

export const METRIC_IDS = ['occupancy', 'computeLoad', 'headcountDensity'] as const;
export type MetricId = (typeof METRIC_IDS)[number];

export interface MetricDef {
  id: MetricId;
  label: Bilingual;
  unit: Bilingual;
  /** How to read the value: what it is a share of, or how it is derived. */
  description: Bilingual;
  /** Domain of the colour ramp in display units. */
  domain: readonly [number, number];
  /** What "not applicable" (frame code Q_NA) means for this metric. */
  notApplicable: Bilingual;
  /** Multiply the stored value by this to get display units. */
  displayScale: number;
  live: boolean;
}

export const METRICS: Record<MetricId, MetricDef> = {
  occupancy: {
    id: 'occupancy',
    label: { zh: '占用率', en: 'Occupancy' },
    unit: { zh: '% 容量', en: '% of capacity' },
    description: { zh: '在楼人数占设计容量的比例', en: 'People in the building as a share of its design capacity' },
    domain: [0, 100],
    notApplicable: { zh: '不适用', en: 'Not applicable' },
    displayScale: 100,
    live: true,
  },
  computeLoad: {
    id: 'computeLoad',
    label: { zh: '算力负载', en: 'Compute load' },
    unit: { zh: '% 已分配算力', en: '% of allocated compute' },
    description: { zh: '楼内企业已分配算力中正在使用的比例', en: "Share of the tenants' allocated compute in use" },
    domain: [0, 100],
    notApplicable: { zh: '无算力租户', en: 'No tenant uses compute' },
    displayScale: 100,
    live: true,
  },
  headcountDensity: {
    id: 'headcountDensity',
    label: { zh: '人员密度', en: 'Headcount density' },
    unit: { zh: '人 / 万㎡', en: 'staff per 10,000 m²' },
    description: { zh: '入驻企业员工数 ÷ 建筑面积', en: "Tenants' headcount per 10,000 m² of floor area" },
    // 1 person per 10 m² GFA (the data set's planning density) is 1,000 per 10,000 m².
    domain: [0, 1000],
    notApplicable: { zh: '不适用', en: 'Not applicable' },
    displayScale: 1,
    live: false,
  },
};

/** Where a value came from. Sourced facts live in `data/` with their own `source`; live values are one of these. */
export const VALUE_SOURCES = ['simulated', 'ingest'] as const;
export type ValueSource = (typeof VALUE_SOURCES)[number];
