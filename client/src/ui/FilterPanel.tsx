/**
 * Filters: clusters, use, tenants' industry, "has registered models" and a value range of the current metric. Every
 * change is emitted as `onPatch({ filters })`; the scene dims what does not match (wired by the caller through
 * tools/filterMask.ts). The count of matches is recomputed here about once a second (a range filter follows the live
 * values) and written straight into the DOM: a tick causes no React commit. Screen readers hear the count only after
 * the planner changes a filter, not every time the live values move it.
 */
import { useEffect, useId, useMemo, useRef } from 'react';
import { BUILDING_USES, INDUSTRIES, type BuildingUse, type District, type Industry } from '@models/district.ts';
import { METRICS, type MetricId } from '@models/metrics.ts';
import { NO_FILTERS, type Filters, type Lang, type ViewPatch } from '@models/view.ts';
import { filterMask, filtersActive, type FilterValues } from '../tools/filterMask.ts';
import { Bi } from './Bi.tsx';
import { INDUSTRY_LABELS, TT, USE_LABELS, both } from './toolStrings.ts';
import './tools.css';

export interface FilterPanelProps {
  lang: Lang;
  district: District;
  filters: Filters;
  /** The metric the range applies to (the view's current metric). */
  metric: MetricId;
  /** Live (or replayed) values: the store's `live` buffer fits. Read about once a second, never held. */
  values: FilterValues;
  onPatch: (patch: ViewPatch) => void;
}

function toggle<T>(list: readonly T[], item: T): T[] {
  return list.includes(item) ? list.filter((x) => x !== item) : [...list, item];
}

function countText(count: number, total: number, lang: Lang): string {
  return lang === 'zh' ? `${count} / ${total} ${TT.buildingsMatch.zh} · match` : `${count} / ${total} ${TT.buildingsMatch.en} · 栋匹配`;
}

export function FilterPanel({ lang, district, filters, metric, values, onPatch }: FilterPanelProps) {
  const id = useId();
  const total = district.buildings.length;
  const mask = useMemo(() => new Uint8Array(total), [total]);
  const countRef = useRef<HTMLSpanElement>(null);
  const announceRef = useRef<HTMLSpanElement>(null);
  const latest = useRef({ district, filters, metric, values, lang });
  latest.current = { district, filters, metric, values, lang };
  const def = METRICS[metric];

  // industries present in the data set, in the schema's order (an empty checkbox helps nobody)
  const industries = useMemo(() => {
    const present = new Set(district.companies.map((c) => c.industry));
    return INDUSTRIES.filter((i) => present.has(i));
  }, [district]);

  const recount = (): number => {
    const s = latest.current;
    const count = filterMask(s.district, s.filters, s.metric, s.values, mask);
    const text = countText(count, s.district.buildings.length, s.lang);
    if (countRef.current && countRef.current.textContent !== text) countRef.current.textContent = text;
    return count;
  };

  useEffect(() => {
    recount();
    const timer = window.setInterval(recount, 1000);
    return () => window.clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [mask]);

  // a filter (or language / metric) change: count now, and announce it once
  const first = useRef(true);
  useEffect(() => {
    const count = recount();
    if (first.current) {
      first.current = false;
      return;
    }
    if (announceRef.current) announceRef.current.textContent = countText(count, total, lang);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filters, metric, lang, district]);

  const set = (patch: Partial<Filters>) => onPatch({ filters: { ...filters, ...patch } });
  const [lo, hi] = filters.range ?? [null, null];
  const setRange = (which: 0 | 1, text: string) => {
    const v = text.trim() === '' ? null : Number(text);
    if (v !== null && !Number.isFinite(v)) return;
    const next: [number | null, number | null] = which === 0 ? [v, hi] : [lo, v];
    if (next[0] === null && next[1] === null) set({ range: null });
    else set({ range: [next[0] ?? def.domain[0], next[1] ?? def.domain[1]] });
  };

  return (
    <section className="tool panel filters" aria-labelledby={`${id}-title`} data-testid="filter-panel">
      <h2 className="tool__title" id={`${id}-title`}>
        <Bi text={TT.filters} lang={lang} inline />
      </h2>
      <p className="tool__status">
        <span className="tool__count" ref={countRef} data-testid="filter-count" />
        <span className="sr-only" role="status" aria-live="polite" ref={announceRef} />
      </p>

      <fieldset>
        <legend>{both(TT.clusters, lang)}</legend>
        <div className="tool__checks">
          {district.clusters.map((c) => (
            <label key={c.id}>
              <input type="checkbox" checked={filters.clusters.includes(c.id)} onChange={() => set({ clusters: toggle(filters.clusters, c.id) })} data-testid={`filter-cluster-${c.id}`} />
              <span lang={lang === 'zh' ? 'zh-CN' : 'en'}>{c.name[lang]}</span>
            </label>
          ))}
        </div>
      </fieldset>

      <fieldset>
        <legend>{both(TT.uses, lang)}</legend>
        <div className="tool__checks">
          {BUILDING_USES.map((u: BuildingUse) => (
            <label key={u}>
              <input type="checkbox" checked={filters.uses.includes(u)} onChange={() => set({ uses: toggle(filters.uses, u) })} data-testid={`filter-use-${u}`} />
              {USE_LABELS[u][lang]}
            </label>
          ))}
        </div>
      </fieldset>

      <fieldset>
        <legend>{both(TT.industries, lang)}</legend>
        <div className="tool__checks">
          {industries.map((ind: Industry) => (
            <label key={ind}>
              <input type="checkbox" checked={filters.industries.includes(ind)} onChange={() => set({ industries: toggle(filters.industries, ind) })} data-testid={`filter-industry-${ind}`} />
              {INDUSTRY_LABELS[ind][lang]}
            </label>
          ))}
        </div>
      </fieldset>

      <fieldset>
        <legend className="sr-only">{both(TT.hasModels, lang)}</legend>
        <label className="tool__row">
          <input type="checkbox" checked={filters.hasRegisteredModels} onChange={(e) => set({ hasRegisteredModels: e.target.checked })} data-testid="filter-models" />
          {both(TT.hasModels, lang)}
        </label>
      </fieldset>

      <fieldset>
        <legend>
          {both(TT.valueRange, lang)}: {def.label[lang]} ({def.unit[lang]})
        </legend>
        <div className="tool__row">
          <label className="sr-only" htmlFor={`${id}-min`}>
            {both(TT.rangeMin, lang)}
          </label>
          <input
            id={`${id}-min`}
            type="number"
            inputMode="decimal"
            min={def.domain[0]}
            max={def.domain[1]}
            placeholder={String(def.domain[0])}
            value={lo ?? ''}
            onChange={(e) => setRange(0, e.target.value)}
            data-testid="filter-range-min"
            style={{ width: '6rem' }}
          />
          <span aria-hidden="true">–</span>
          <label className="sr-only" htmlFor={`${id}-max`}>
            {both(TT.rangeMax, lang)}
          </label>
          <input
            id={`${id}-max`}
            type="number"
            inputMode="decimal"
            min={def.domain[0]}
            max={def.domain[1]}
            placeholder={String(def.domain[1])}
            value={hi ?? ''}
            onChange={(e) => setRange(1, e.target.value)}
            data-testid="filter-range-max"
            style={{ width: '6rem' }}
          />
        </div>
      </fieldset>

      <button type="button" className="tool__button" disabled={!filtersActive(filters)} onClick={() => onPatch({ filters: NO_FILTERS })} data-testid="filter-clear">
        {both(TT.clearFilters, lang)}
      </button>
    </section>
  );
}
