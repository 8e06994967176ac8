/**
 * Measure 10 (issue 6, the planner's tools): the work a planner's keystroke or a live frame causes in the tools, at the
 * real district, 10,000 and 50,000 buildings, each beside a naive baseline in the same run.
 *   - search: typing "west bund" one key at a time (9 queries, results capped at 12). Ours: the prebuilt index, which
 *     rescans only the previous matches while the query grows. Naive: for every key, normalise every name again,
 *     collect every match and sort them all.
 *   - filter mask: a cluster + use + value-range filter over every building. Ours: `filterMask` into a reused buffer.
 *     Naive: `buildings.filter` with Set look-ups and a fresh array per call.
 *   - alert rules: one frame through 5 rules (`AlertEvaluator.update`); no baseline (nothing simpler does the same).
 * Also reported: building the search index once per district (with the pinyin dictionary).
 */
import type { District } from '@models/district.ts';
import { Q_MAX } from '@models/frame.codec.ts';
import { NO_FILTERS, type AlertRule, type Filters } from '@models/view.ts';
import { AlertEvaluator } from '../../client/src/tools/alerts.ts';
import { filterMask } from '../../client/src/tools/filterMask.ts';
import { Searcher, buildSearchIndex, loadPinyin, normalise } from '../../client/src/tools/searchIndex.ts';
import { log, row, stats, timeSync, type Row } from './stats.ts';

const TYPED = 'west bund';

function naiveSearch(district: District, query: string): string[] {
  const q = normalise(query);
  const all: Array<{ id: string; score: number; len: number }> = [];
  const consider = (id: string, names: string[]) => {
    const ns = names.map(normalise);
    const i = ns.findIndex((n) => n.includes(q));
    if (i >= 0) all.push({ id, score: ns[i]!.startsWith(q) ? 2 : 1, len: ns[i]!.length });
  };
  for (const c of district.clusters) consider(c.id, [c.name.zh, c.name.en, c.id]);
  for (const b of district.buildings) consider(b.id, [b.name?.zh ?? '', b.name?.en ?? '', b.id]);
  for (const co of district.companies) consider(co.id, [co.name.zh, co.name.en, co.id]);
  all.sort((a, b) => b.score - a.score || a.len - b.len);
  return all.slice(0, 12).map((h) => h.id);
}

function values(n: number) {
  const occupancyQ = new Uint8Array(n);
  const computeQ = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    occupancyQ[i] = (i * 37) % (Q_MAX + 1);
    computeQ[i] = (i * 11) % (Q_MAX + 1);
  }
  return { occupancyQ, computeQ, headcount: new Float64Array(n).fill(100) };
}

export async function toolsBench(cases: Array<{ label: string; district: District }>): Promise<{ rows: Row[]; raw: unknown }> {
  const rows: Row[] = [];
  const raw: Record<string, unknown> = {};
  const toPinyin = await loadPinyin();
  for (const { label, district } of cases) {
    const n = district.buildings.length;
    log(`tools: ${label}`);

    const build = stats(
      Array.from({ length: 3 }, () => {
        const t0 = performance.now();
        buildSearchIndex(district, toPinyin);
        return performance.now() - t0;
      }),
    );
    const index = buildSearchIndex(district, toPinyin);
    const prefixes = Array.from({ length: TYPED.length }, (_, i) => TYPED.slice(0, i + 1));
    const ours = timeSync(() => {
      const s = new Searcher(index);
      for (const p of prefixes) s.search(p, 12);
    }, 20, 3);
    const naive = timeSync(() => {
      for (const p of prefixes) naiveSearch(district, p);
    }, 5, 1);
    rows.push(
      row({ section: 10, measure: 'search index build', scope: label, unit: 'ms', ours: build.median, oursP95: build.p95, note: 'once per district, with pinyin' }),
      row({
        section: 10,
        measure: `search, typing "${TYPED}" (per key)`,
        scope: label,
        unit: 'ms',
        ours: ours.median / prefixes.length,
        oursP95: ours.p95 / prefixes.length,
        naive: naive.median / prefixes.length,
        naiveP95: naive.p95 / prefixes.length,
        baseline: 'normalise every name per key, collect and sort every match',
      }),
    );

    const v = values(n);
    const filters: Filters = { ...NO_FILTERS, clusters: [district.clusters[0]!.id, district.clusters[2]!.id], uses: ['office', 'lab'], range: [20, 80] };
    const out = new Uint8Array(n);
    const maskOurs = timeSync(() => filterMask(district, filters, 'occupancy', v, out), 200);
    const clusterSet = new Set(filters.clusters);
    const useSet = new Set<string>(filters.uses);
    const maskNaive = timeSync(
      () =>
        district.buildings.filter((b, i) => {
          const q = v.occupancyQ[i]!;
          const pct = (q * 100) / Q_MAX;
          return clusterSet.has(b.clusterId) && useSet.has(b.use) && q <= Q_MAX && pct >= 20 && pct <= 80;
        }).length,
      50,
    );
    rows.push(
      row({
        section: 10,
        measure: 'filter mask (cluster + use + range)',
        scope: label,
        unit: 'ms',
        ours: maskOurs.median,
        oursP95: maskOurs.p95,
        naive: maskNaive.median,
        naiveP95: maskNaive.p95,
        baseline: 'buildings.filter with Set look-ups, new array per call',
      }),
    );

    const rules: AlertRule[] = [
      { metric: 'occupancy', op: 'gt', threshold: 90, forMinutes: 0 },
      { metric: 'occupancy', op: 'lt', threshold: 5, forMinutes: 30 },
      { metric: 'computeLoad', op: 'gt', threshold: 80, forMinutes: 10 },
      { metric: 'computeLoad', op: 'gt', threshold: 95, forMinutes: 0, cluster: district.clusters[1]!.id },
      { metric: 'occupancy', op: 'gt', threshold: 70, forMinutes: 60, cluster: district.clusters[3]!.id },
    ];
    const ev = new AlertEvaluator(district, { maxGapMs: 10_000 });
    ev.setRules(rules);
    let t = Date.parse('2026-11-28T02:00:00Z');
    const alertOurs = timeSync(() => ev.update(v, (t += 1000)), 200);
    rows.push(row({ section: 10, measure: 'alert rules, one frame (5 rules)', scope: label, unit: 'ms', ours: alertOurs.median, oursP95: alertOurs.p95, note: `${ev.markedCount} buildings marked` }));
    raw[label] = { build, search: { ours, naive }, mask: { ours: maskOurs, naive: maskNaive }, alerts: alertOurs };
  }
  return { rows, raw };
}
