/**
 * Clusters: pick one from the list (→ `onSelect({ kind: 'cluster', id })`, the caller flies to it), read its figures
 * now, and compare the six in one table with the district's total. Occupancy and compute load come from the live (or
 * replayed) values, recomputed about once a second; the panel re-renders only when a shown figure changes.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { District } from '@models/district.ts';
import type { Lang, Selection } from '@models/view.ts';
import { clusterFigures, type ClusterFigures, type FigureValues } from '../tools/clusterFigures.ts';
import { Bi } from './Bi.tsx';
import { formatNumber } from './format.ts';
import { TT, both } from './toolStrings.ts';
import './tools.css';

export interface ClusterPanelProps {
  lang: Lang;
  district: District;
  /** The view's selection: a cluster selection is the one shown in detail. */
  selection: Selection | null;
  /** Live (or replayed) values: the store's `live` buffer fits. */
  values: FigureValues;
  /** Whether the values are too old to show as current (e.g. `() => liveIsStale(performance.now(), staleAfterS)`). */
  isStale?: () => boolean;
  onSelect: (selection: Selection) => void;
}

type Figures = ReturnType<typeof clusterFigures>;

/** What the panel shows, rounded as shown: equal keys mean nothing visible changed. */
function shownKey(f: Figures): string {
  const r = (v: number | null) => (v === null ? '-' : Math.round(v * 1000));
  return [...f.clusters, f.district].map((c) => `${r(c.occupancy)},${r(c.computeLoad)},${Math.round(c.headcount)},${c.ingestBuildings},${c.simulatedBuildings}`).join(';');
}

function pct(v: number | null, lang: Lang): string {
  return v === null ? '—' : `${formatNumber(v * 100, lang)} %`;
}

function sourceOf(f: ClusterFigures): { zh: string; en: string } | null {
  if (f.ingestBuildings === 0 && f.simulatedBuildings === 0) return null;
  if (f.ingestBuildings === 0) return TT.source.simulated;
  if (f.simulatedBuildings === 0) return TT.source.ingest;
  return TT.source.mixed;
}

export function ClusterPanel({ lang, district, selection, values, isStale, onSelect }: ClusterPanelProps) {
  const id = useId();
  const latest = useRef({ district, values, isStale });
  latest.current = { district, values, isStale };
  const compute = () => clusterFigures(latest.current.district, latest.current.values, latest.current.isStale?.() ?? false);
  const [figures, setFigures] = useState<Figures>(compute);
  const shown = useRef(shownKey(figures));

  useEffect(() => {
    const refresh = (force: boolean) => {
      const f = compute();
      const key = shownKey(f);
      if (force || key !== shown.current) {
        shown.current = key;
        setFigures(f);
      }
    };
    refresh(true);
    const timer = window.setInterval(() => refresh(false), 1000);
    return () => window.clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [district, values]);

  const selectedId = selection?.kind === 'cluster' ? selection.id : null;
  const selectedIndex = district.clusters.findIndex((c) => c.id === selectedId);
  const current = selectedIndex >= 0 ? figures.clusters[selectedIndex] : undefined;
  const n = (v: number) => formatNumber(v, lang);
  const src = current ? sourceOf(current) : null;

  return (
    <section className="tool panel clusters" aria-labelledby={`${id}-title`} data-testid="cluster-panel">
      <h2 className="tool__title" id={`${id}-title`}>
        <Bi text={TT.clusterPanel} lang={lang} inline />
      </h2>
      <div className="tool__row" role="group" aria-label={both(TT.clusters, lang)}>
        {district.clusters.map((c) => (
          <button
            key={c.id}
            type="button"
            className="tool__button"
            aria-pressed={c.id === selectedId}
            onClick={() => onSelect({ kind: 'cluster', id: c.id })}
            data-testid={`cluster-pick-${c.id}`}
          >
            <span lang={lang === 'zh' ? 'zh-CN' : 'en'}>{c.name[lang]}</span>
          </button>
        ))}
      </div>

      {current && (
        <div data-testid="cluster-figures" data-cluster={current.clusterId}>
          <h3 className="tool__title" style={{ marginTop: '0.6rem' }}>
            <Bi text={district.clusters[selectedIndex]!.name} lang={lang} />
          </h3>
          <dl className="tool__figures">
            <dt>{both(TT.buildings, lang)}</dt>
            <dd>{n(current.buildings)}</dd>
            <dt>{both(TT.floorArea, lang)}</dt>
            <dd>{n(current.floorAreaM2)} m²</dd>
            <dt>{both(TT.capacity, lang)}</dt>
            <dd>
              {n(current.capacityPeople)} {TT.people[lang]}
            </dd>
            <dt>{both(TT.companies, lang)}</dt>
            <dd>{n(current.companies)}</dd>
            <dt>{both(TT.headcount, lang)}</dt>
            <dd>{n(current.headcount)}</dd>
            <dt>{both(TT.registeredModels, lang)}</dt>
            <dd>{n(current.registeredModels)}</dd>
            <dt>{both(TT.occupancyNow, lang)}</dt>
            <dd data-testid="cluster-occupancy">
              {current.occupancy === null ? both(TT.noLiveValue, lang) : pct(current.occupancy, lang)}
              {current.occupancy !== null && current.occupancyCoverage < 0.995 && (
                <span className="tool__dim">
                  {' '}
                  ({formatNumber(current.occupancyCoverage * 100, lang)} % {TT.coverage[lang]})
                </span>
              )}
            </dd>
            <dt>{both(TT.computeNow, lang)}</dt>
            <dd data-testid="cluster-compute">{current.computeLoad === null ? both(TT.noLiveValue, lang) : pct(current.computeLoad, lang)}</dd>
          </dl>
          {src && <p className="tool__note">{both(src, lang)}</p>}
        </div>
      )}

      {/* a wide table scrolls inside the panel; the region is focusable so the keyboard can scroll it too */}
      <div className="tool__scroll" role="region" tabIndex={0} aria-label={both(TT.compareClusters, lang)}>
        <table className="tool__table" data-testid="cluster-table">
          <caption className="sr-only">{both(TT.compareClusters, lang)}</caption>
          <thead>
            <tr>
              <th scope="col" title={both(TT.clusters, lang)}>{TT.clusters[lang]}</th>
              <th scope="col" title={both(TT.buildings, lang)}>{TT.buildings[lang]}</th>
              <th scope="col" title={both(TT.floorArea, lang)}>{TT.floorArea[lang]} (m²)</th>
              <th scope="col" title={both(TT.companies, lang)}>{TT.companies[lang]}</th>
              <th scope="col" title={both(TT.headcount, lang)}>{TT.headcount[lang]}</th>
              <th scope="col" title={both(TT.registeredModels, lang)}>{TT.registeredModels[lang]}</th>
              <th scope="col" title={both(TT.occupancyNow, lang)}>{TT.occupancyNow[lang]}</th>
              <th scope="col" title={both(TT.computeNow, lang)}>{TT.computeNow[lang]}</th>
            </tr>
          </thead>
          <tbody>
            {figures.clusters.map((f, i) => (
              <tr key={f.clusterId} aria-current={f.clusterId === selectedId ? 'true' : undefined}>
                <th scope="row">
                  <button type="button" className="tool__link" style={{ padding: 0 }} onClick={() => onSelect({ kind: 'cluster', id: f.clusterId! })}>
                    {district.clusters[i]!.name[lang]}
                  </button>
                </th>
                <td>{n(f.buildings)}</td>
                <td>{n(f.floorAreaM2)}</td>
                <td>{n(f.companies)}</td>
                <td>{n(f.headcount)}</td>
                <td>{n(f.registeredModels)}</td>
                <td>{pct(f.occupancy, lang)}</td>
                <td>{pct(f.computeLoad, lang)}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">{both(TT.district, lang)}</th>
              <td>{n(figures.district.buildings)}</td>
              <td>{n(figures.district.floorAreaM2)}</td>
              <td>{n(figures.district.companies)}</td>
              <td>{n(figures.district.headcount)}</td>
              <td>{n(figures.district.registeredModels)}</td>
              <td>{pct(figures.district.occupancy, lang)}</td>
              <td>{pct(figures.district.computeLoad, lang)}</td>
            </tr>
          </tbody>
        </table>
      </div>
      <p className="tool__note">
        <Bi text={TT.weightedNote} lang={lang} />
      </p>
    </section>
  );
}
