/**
 * Stories (data/stories/*.json) and the sourced facts they quote (data/facts.json), validated at start-up.
 *
 * A story is a list of steps; each step sets the screen through a `ViewPatch` (models/view.ts: camera pose, metric,
 * selection, filters, live or a past minute) and shows a bilingual title, text and key figures. Key figures are
 * references, never numbers: they are resolved when shown, from the live state (simulated or ingested, labelled as
 * such) or from a sourced fact in data/facts.json. So a story never goes stale and never states a figure nobody
 * measured or sourced.
 */
import { z } from 'zod';
import { Bilingual, CONFIDENCE, Id } from './district.ts';
import { ViewPatch } from './view.ts';

export const STORIES_DIR = 'stories';
export const FACTS_FILE = 'facts.json';

/** A figure nobody typed into the story: what to look up when the step is shown. */
export const KeyFigureRef = z.discriminatedUnion('kind', [
  /** Companies with a building in the district now (company state: data file, then updates). */
  z.strictObject({ kind: z.literal('district-companies') }),
  /** Companies in the 模速空间 community. */
  z.strictObject({ kind: z.literal('mosu-companies') }),
  /** Sum of the tenants' headcount now. */
  z.strictObject({ kind: z.literal('district-headcount') }),
  /** Sum of the registered large models of the district's companies. */
  z.strictObject({ kind: z.literal('registered-models') }),
  /** Buildings in a cluster, or in the district without `clusterId`. */
  z.strictObject({ kind: z.literal('buildings'), clusterId: Id.optional() }),
  /** Mean live occupancy of a cluster's buildings (or of the district). */
  z.strictObject({ kind: z.literal('occupancy-now'), clusterId: Id.optional() }),
  /** Compute pools: number of suppliers, total capacity / allocated / in use, PFLOPS. */
  z.strictObject({ kind: z.literal('pool-count') }),
  z.strictObject({ kind: z.literal('pool-total-capacity') }),
  z.strictObject({ kind: z.literal('pool-total-allocated') }),
  z.strictObject({ kind: z.literal('pool-total-used') }),
  /** One supplier's pool in use, PFLOPS. */
  z.strictObject({ kind: z.literal('pool-used'), supplierId: Id }),
  /** A sourced fact from data/facts.json. */
  z.strictObject({ kind: z.literal('fact'), id: Id }),
]);
export type KeyFigureRef = z.infer<typeof KeyFigureRef>;
export type KeyFigureKind = KeyFigureRef['kind'];

export const StoryStep = z.strictObject({
  id: Id,
  title: Bilingual,
  text: Bilingual,
  /** For the presenter's remote only; never on the wall. */
  notes: Bilingual,
  /** What the screen shows: applied to the view state as one patch (absent keys keep the current value). */
  view: ViewPatch,
  figures: z.array(KeyFigureRef).max(6, 'at most 6 key figures per step (a wall is read from 4 m)').default([]),
});
export type StoryStep = z.infer<typeof StoryStep>;

export const Story = z.strictObject({
  id: Id,
  title: Bilingual,
  summary: Bilingual,
  steps: z.array(StoryStep).min(1, 'a story needs at least one step').max(50),
});
export type Story = z.infer<typeof Story>;

/**
 * A sourced figure or statement. data/facts.json is the ONE home of sourced facts: stories quote them by id, and
 * data/mosu.json (the /lobby wall) names them by id too, so no figure is typed twice.
 * `value` is a number when the fact is one (else only `text` is shown).
 */
export const Fact = z.strictObject({
  id: Id,
  label: Bilingual,
  /** The figure as said on the wall, e.g. "40+" / "≈ 8000 亿元"; bilingual because units and words differ. */
  text: Bilingual,
  value: z.number().finite().nullable(),
  /** Unit of `value` for machines ('companies', 'm2', 'CNY', 'ms', 'PFLOPS', …); absent for a statement. */
  unit: z.string().min(1).optional(),
  /** Short citation for a wall ("seed article" / "种子文章"); the full `source` goes in tooltips and the API. */
  cite: Bilingual,
  source: z.string().min(1, 'source must name where the fact comes from'),
  confidence: z.enum(CONFIDENCE),
});
export type Fact = z.infer<typeof Fact>;

export const FactsFile = z.strictObject({ facts: z.array(Fact).min(1) });
export type FactsFile = z.infer<typeof FactsFile>;

/** `GET /api/v1/stories` */
export interface StoryListResponse {
  stories: Array<{ id: string; title: Bilingual; summary: Bilingual; steps: number }>;
}

/** `GET /api/v1/stories/:id`: the story and the facts its steps quote. */
export interface StoryResponse {
  story: Story;
  facts: Fact[];
}

// ---------------------------------------------------------------------------------------------------------------
// Resolving key figures (pure: the client feeds it its store, tests feed it /api/v1/state)

export type FigureSource = 'simulated' | 'ingest' | 'data' | 'sourced' | 'approximate' | 'synthetic';

export interface ResolvedFigure {
  label: Bilingual;
  /** Formatted for the wall, per language. null = no value yet (shown as "—"). */
  text: Bilingual | null;
  value: number | null;
  /** Where the figure comes from, shown beside it. For facts, their source text is in `cite`. */
  source: FigureSource;
  cite?: string;
}

export interface FigureInputs {
  district: {
    clusters: Array<{ id: string; name: Bilingual }>;
    buildings: Array<{ id: string; clusterId: string }>;
    companies: Array<{ id: string; mosu: boolean; headcount: number; registeredModels: number; buildingId: string }>;
    suppliers: Array<{ id: string; name: Bilingual }>;
  };
  /** Current company states (override the data file); empty = the data file's figures. */
  companies: ReadonlyArray<{ companyId: string; buildingId: string | null; headcount: number; registeredModels: number; source: string }>;
  pools: ReadonlyArray<{ supplierId: string; capacityPflops: number; allocatedPflops: number; usedPflops: number; source: string }>;
  /** Live occupancy (0..1, null = no fresh value) by building index, and whether any of it is simulated. */
  occupancy: (buildingIndex: number) => number | null;
  occupancySimulated: boolean;
  facts: ReadonlyArray<Fact>;
}

const nf = (v: number, digits = 0) => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const same = (s: string): Bilingual => ({ zh: s, en: s });

export function resolveFigure(ref: KeyFigureRef, inp: FigureInputs): ResolvedFigure {
  const d = inp.district;
  const companyState = new Map(inp.companies.map((c) => [c.companyId, c]));
  const liveCompanies = d.companies.map((c) => {
    const s = companyState.get(c.id);
    return { id: c.id, mosu: c.mosu, buildingId: s ? s.buildingId : c.buildingId, headcount: s?.headcount ?? c.headcount, registeredModels: s?.registeredModels ?? c.registeredModels, source: s?.source ?? 'data' };
  }).filter((c) => c.buildingId !== null);
  const companySource: FigureSource = liveCompanies.some((c) => c.source === 'simulated') ? 'simulated' : liveCompanies.some((c) => c.source === 'ingest') ? 'ingest' : 'data';
  const poolSource: FigureSource = inp.pools.some((p) => p.source === 'simulated') ? 'simulated' : 'ingest';
  const clusterName = (id?: string) => (id ? d.clusters.find((c) => c.id === id)?.name : undefined);
  const pflops = (v: number): Bilingual => same(`${nf(v)} PFLOPS`);
  const sum = (f: (p: FigureInputs['pools'][number]) => number) => inp.pools.reduce((a, p) => a + f(p), 0);
  const poolFigure = (label: Bilingual, f: (p: FigureInputs['pools'][number]) => number): ResolvedFigure =>
    inp.pools.length === 0 ? { label, text: null, value: null, source: poolSource } : { label, text: pflops(sum(f)), value: sum(f), source: poolSource };

  switch (ref.kind) {
    case 'district-companies': {
      const n = liveCompanies.length;
      return { label: { zh: '区内企业（数据集）', en: 'Companies (data set)' }, text: same(nf(n)), value: n, source: companySource };
    }
    case 'mosu-companies': {
      const n = liveCompanies.filter((c) => c.mosu).length;
      return { label: { zh: '模速空间企业（数据集）', en: '模速空间 companies (data set)' }, text: same(nf(n)), value: n, source: companySource };
    }
    case 'district-headcount': {
      const n = liveCompanies.reduce((a, c) => a + c.headcount, 0);
      return { label: { zh: '全区在册员工', en: 'Headcount, whole district' }, text: same(nf(n)), value: n, source: companySource };
    }
    case 'registered-models': {
      const n = liveCompanies.reduce((a, c) => a + c.registeredModels, 0);
      return { label: { zh: '已备案大模型', en: 'Registered models' }, text: same(nf(n)), value: n, source: companySource };
    }
    case 'buildings': {
      const n = ref.clusterId ? d.buildings.filter((b) => b.clusterId === ref.clusterId).length : d.buildings.length;
      const name = clusterName(ref.clusterId);
      return { label: name ? { zh: `${name.zh} · 楼宇`, en: `${name.en} · buildings` } : { zh: '楼宇', en: 'Buildings' }, text: same(nf(n)), value: n, source: 'data' };
    }
    case 'occupancy-now': {
      let total = 0;
      let n = 0;
      d.buildings.forEach((b, i) => {
        if (ref.clusterId && b.clusterId !== ref.clusterId) return;
        const v = inp.occupancy(i);
        if (v === null) return;
        total += v;
        n++;
      });
      const name = clusterName(ref.clusterId);
      const label = name ? { zh: `${name.zh} · 此刻在岗`, en: `${name.en} · occupied now` } : { zh: '此刻在岗', en: 'Occupied now' };
      const source: FigureSource = inp.occupancySimulated ? 'simulated' : 'ingest';
      return n === 0 ? { label, text: null, value: null, source } : { label, text: same(`${nf((total / n) * 100)} %`), value: total / n, source };
    }
    case 'pool-count':
      return { label: { zh: '算力供应商', en: 'Compute suppliers' }, text: same(nf(d.suppliers.length)), value: d.suppliers.length, source: 'data' };
    case 'pool-total-capacity':
      return poolFigure({ zh: '算力池总容量', en: 'Pool capacity' }, (p) => p.capacityPflops);
    case 'pool-total-allocated':
      return poolFigure({ zh: '已分配算力', en: 'Compute allocated' }, (p) => p.allocatedPflops);
    case 'pool-total-used':
      return poolFigure({ zh: '在用算力', en: 'Compute in use' }, (p) => p.usedPflops);
    case 'pool-used': {
      const s = d.suppliers.find((x) => x.id === ref.supplierId);
      const p = inp.pools.find((x) => x.supplierId === ref.supplierId);
      const label = { zh: `${s?.name.zh ?? ref.supplierId} · 在用`, en: `${s?.name.en ?? ref.supplierId} · in use` };
      return p ? { label, text: pflops(p.usedPflops), value: p.usedPflops, source: p.source === 'ingest' ? 'ingest' : 'simulated' } : { label, text: null, value: null, source: poolSource };
    }
    case 'fact': {
      const f = inp.facts.find((x) => x.id === ref.id);
      if (!f) return { label: same(ref.id), text: null, value: null, source: 'sourced' };
      return { label: f.label, text: f.text, value: f.value, source: f.confidence, cite: f.source };
    }
  }
}

/** Bilingual name of a figure's source, shown beside the figure. */
export const FIGURE_SOURCE_LABEL: Record<FigureSource, Bilingual> = {
  simulated: { zh: '模拟', en: 'simulated' },
  ingest: { zh: '实时接入', en: 'live feed' },
  data: { zh: '数据集', en: 'data set' },
  sourced: { zh: '公开来源', en: 'sourced' },
  approximate: { zh: '约数', en: 'approximate' },
  synthetic: { zh: '合成', en: 'synthetic' },
};
