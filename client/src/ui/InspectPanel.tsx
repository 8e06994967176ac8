/**
 * The selected building: names (zh/en), cluster, use, height, floors, floor area, capacity; each live metric now with
 * its source and age (written by DOM mutation once a second, from the frame source on screen); its tenants (industry,
 * headcount, registered models, supplier pool) from the district data overridden by company state; and charts of
 * occupancy and compute load over 24 h and 7 days. Esc or the close button clears the selection.
 */
import { useEffect, useRef } from 'react';
import type { Building, District } from '@models/district.ts';
import { LIVE_METRICS, METRICS } from '@models/metrics.ts';
import { Q_MAX, Q_NA, isIngest } from '@models/frame.codec.ts';
import { buildingIndexOf, companyStateOf, frameSource, sourceIsStale, useTwin, type Lang } from '../state/store.ts';
import { formatAge, formatNumber, formatShanghaiMinute } from './format.ts';
import { T } from './strings.ts';
import { TX } from './explorerStrings.ts';
import { INDUSTRY_LABELS, USE_LABELS } from './toolStrings.ts';
import { HistoryChart } from './HistoryChart.tsx';
import { useEverySecond } from './useEverySecond.ts';

const DAY_MS = 86_400_000;

function Row({ label, lang, children }: { label: { zh: string; en: string }; lang: Lang; children: React.ReactNode }) {
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  return (
    <>
      <dt>
        {label[lang]} <span className="inspect__other">{label[other]}</span>
      </dt>
      <dd>{children}</dd>
    </>
  );
}

/** The live values, refreshed once a second without React. */
function MetricsNow({ building, lang }: { building: Building; lang: Lang }) {
  const box = useRef<HTMLDivElement>(null);
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  useEverySecond(() => {
    const el = box.current;
    if (!el) return;
    const i = buildingIndexOf(building.id);
    const src = frameSource();
    const { staleAfterS } = useTwin.getState();
    const stale = sourceIsStale(src, performance.now(), staleAfterS);
    LIVE_METRICS.forEach((metric, k) => {
      const def = METRICS[metric];
      const value = el.querySelector<HTMLElement>(`[data-metric-value="${metric}"]`);
      const source = el.querySelector<HTMLElement>(`[data-metric-source="${metric}"]`);
      if (!value || !source) return;
      const q = (metric === 'computeLoad' ? src.computeQ : src.occupancyQ)[i] ?? 255;
      let v: string;
      let s: string;
      if (q === Q_NA) {
        v = `${def.notApplicable[lang]} · ${def.notApplicable[other]}`;
        s = '';
      } else if (q > Q_MAX || stale) {
        v = `${T.stale[lang]} · ${T.stale[other]}`;
        s = '';
      } else {
        v = `${formatNumber((q / Q_MAX) * def.displayScale, lang)} ${def.unit[lang]}`;
        const from = isIngest(src.sources, i, k === 0 ? 0 : 1) ? T.sourceIngest : T.sourceSimulated;
        const when = src.clock === 'replay' ? `${TX.replay[lang]} ${formatShanghaiMinute(src.tsMs)}` : formatAge(performance.now() - src.receivedAtMs, lang);
        s = `${from[lang]} · ${when}`;
      }
      if (value.textContent !== v) value.textContent = v;
      if (source.textContent !== s) source.textContent = s;
    });
  }, [building.id, lang]);
  return (
    <div ref={box} className="inspect__now" data-testid="inspect-now">
      {LIVE_METRICS.map((metric) => (
        <div key={metric} className="inspect__metric">
          <span className="inspect__metric-label">
            {METRICS[metric].label[lang]} <span className="inspect__other">{METRICS[metric].label[other]}</span>
          </span>
          <span className="inspect__metric-value" data-metric-value={metric} />
          <span className="inspect__metric-source" data-metric-source={metric} />
        </div>
      ))}
    </div>
  );
}

function Tenants({ district, building, lang }: { district: District; building: Building; lang: Lang }) {
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  // company state (snapshot/updates) overrides the data file: a company may have moved in or out
  const tenants = district.companies
    .map((c) => ({ c, s: companyStateOf(c.id) }))
    .filter(({ c, s }) => (s ? s.buildingId : c.buildingId) === building.id);
  if (tenants.length === 0) return <p className="inspect__note">{`${TX.noTenants[lang]} · ${TX.noTenants[other]}`}</p>;
  return (
    <ul className="inspect__tenants" data-testid="inspect-tenants">
      {tenants.map(({ c, s }) => {
        const supplier = c.compute ? district.suppliers.find((x) => x.id === c.compute!.supplierId) : undefined;
        return (
          <li key={c.id}>
            <span className="inspect__tenant-name">
              {c.name[lang]} <span className="inspect__other">{c.name[other]}</span>
            </span>
            <span className="inspect__tenant-facts">
              {INDUSTRY_LABELS[c.industry][lang]} · {formatNumber(s?.headcount ?? c.headcount, lang)} {TX.headcount[lang]} · {s?.registeredModels ?? c.registeredModels} {TX.models[lang]}
              {supplier ? ` · ${TX.pool[lang]} ${supplier.name[lang]} ${formatNumber(c.compute!.pflops, lang)} PFLOPS` : ''}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

export function InspectPanel() {
  const lang = useTwin((s) => s.view.lang);
  const selection = useTwin((s) => s.view.selection);
  const district = useTwin((s) => s.district);
  const { clearSelection } = useTwin((s) => s.actions);
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  const closeRef = useRef<HTMLButtonElement>(null);

  // Esc clears the selection (unless typing in a field)
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
      if (useTwin.getState().view.selection) useTwin.getState().actions.clearSelection();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (!district || selection?.kind !== 'building') return null;
  const b = district.buildings[buildingIndexOf(selection.id)];
  if (!b) return null;
  const cluster = district.clusters.find((c) => c.id === b.clusterId);
  const name = b.name ?? { zh: `建筑 ${b.id}`, en: `Building ${b.id}` };
  return (
    <aside className="inspect panel" data-testid="inspect-panel" data-building={b.id} aria-label={`${TX.selected.zh} / ${TX.selected.en}: ${name.zh} ${name.en}`}>
      <header className="inspect__head">
        <div>
          <h2 className="inspect__name" data-testid="inspect-name">
            {name[lang]}
          </h2>
          <p className="inspect__name-other">{name[other]}</p>
        </div>
        <button ref={closeRef} type="button" className="inspect__close" data-testid="inspect-close" aria-label={`${TX.close.zh} / ${TX.close.en}`} onClick={() => clearSelection()}>
          ×
        </button>
      </header>
      <dl className="inspect__facts">
        {cluster && (
          <Row label={TX.cluster} lang={lang}>
            {cluster.name[lang]} <span className="inspect__other">{cluster.name[other]}</span>
          </Row>
        )}
        <Row label={TX.use} lang={lang}>
          {USE_LABELS[b.use][lang]}
        </Row>
        <Row label={TX.height} lang={lang}>
          {formatNumber(b.heightM, lang)} m · {b.floors} {lang === 'zh' ? '层' : 'floors'}
        </Row>
        <Row label={TX.floorArea} lang={lang}>
          {formatNumber(b.gfaM2, lang)} m²
        </Row>
        <Row label={TX.capacity} lang={lang}>
          {formatNumber(b.capacityPeople, lang)} {TX.people[lang]}
        </Row>
      </dl>
      <MetricsNow building={b} lang={lang} />
      <h3 className="inspect__section">
        {TX.tenants[lang]} <span className="inspect__other">{TX.tenants[other]}</span>
      </h3>
      <Tenants district={district} building={b} lang={lang} />
      {LIVE_METRICS.map((metric) =>
        [DAY_MS, 7 * DAY_MS].map((range) => (
          <HistoryChart
            key={`${metric}-${range}`}
            building={b.id}
            metric={metric}
            rangeMs={range}
            lang={lang}
            label={{
              zh: `${METRICS[metric].label.zh} · ${range === DAY_MS ? TX.last24h.zh : TX.last7d.zh}`,
              en: `${METRICS[metric].label.en} · ${range === DAY_MS ? TX.last24h.en : TX.last7d.en}`,
            }}
          />
        )),
      )}
    </aside>
  );
}
