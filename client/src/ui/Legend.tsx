/**
 * Legend: the viridis ramp with the metric's domain and unit, the time of the data on screen and the stale swatch.
 * Ramp colours come from models/colour.ts, the same table the scene uses.
 */
import { useMemo, useRef } from 'react';
import { METRICS } from '@models/metrics.ts';
import { DIFF_DOMAIN_PP, NA_CSS, STALE_CSS, STALE_RGB, divergingCss, rampCss } from '@models/colour.ts';
import { TX } from './explorerStrings.ts';
import { live, useTwin } from '../state/store.ts';
import { Bi } from './Bi.tsx';
import { formatNumber, formatShanghaiMinute, formatShanghaiTime } from './format.ts';
import { T } from './strings.ts';
import { MetricSwitch } from './MetricSwitch.tsx';
import { useEverySecond } from './useEverySecond.ts';
import { useFilterCount } from '../state/toolRuntime.ts';
import { DK } from './dockStrings.ts';
import { ALERT_RGB } from '../scene/buildingColours.ts';

/** The alert ring's colour (scene/buildingColours.ts ALERT_RGB), as the scene draws it. */
const ALERT_CSS = `rgb(${ALERT_RGB.map((c) => Math.round(c * 255)).join(',')})`;

const RAMP_STOPS = 24;
// the hatch darkens alternate stripes to half, as the building shader does
const staleHatch = `repeating-linear-gradient(135deg, ${STALE_CSS} 0 3px, rgb(${STALE_RGB.map((c) => Math.round(c * 0.5)).join(',')}) 3px 6px)`;
const gradientOf = (css: (t: number) => string) => `linear-gradient(90deg, ${Array.from({ length: RAMP_STOPS + 1 }, (_, i) => `${css(i / RAMP_STOPS)} ${((i / RAMP_STOPS) * 100).toFixed(1)}%`).join(', ')})`;
const rampGradient = gradientOf(rampCss);
/** Compare mode's diverging ramp (models/colour.ts DIVERGING_RGB), the same table the scene uses. */
const divergingGradient = gradientOf(divergingCss);

export function Legend() {
  const lang = useTwin((s) => s.view.lang);
  const metric = useTwin((s) => s.view.metric);
  const simulator = useTwin((s) => s.simulator);
  const compare = useTwin((s) => s.view.compare);
  const replayAt = useTwin((s) => (s.view.mode.kind === 'replay' ? s.view.mode.atMs : null));
  const def = METRICS[metric];
  // buildings matching the planner's filters (−1: no filter on), from the colour pass
  const filterCount = useFilterCount();
  const buildingCount = useTwin((s) => s.district?.buildings.length ?? 0);
  const alertRules = useTwin((s) => s.view.alerts.length);
  // a selected cluster keeps its colours and the rest fade (scene/buildingColours.ts FLAG_CONTEXT): say so
  const focus = useTwin((s) => {
    const sel = s.view.selection;
    return sel?.kind === 'cluster' ? (s.district?.clusters.find((c) => c.id === sel.id)?.name ?? null) : null;
  });
  // compare colours a live metric by its difference from the reference minute (company records keep no history)
  const comparing = compare.kind !== 'off' && def.live;
  const timeRef = useRef<HTMLSpanElement>(null);
  const [min, max] = def.domain;
  const ticks = useMemo(() => [min, (min + max) / 2, max].map((v) => formatNumber(v, lang)), [min, max, lang]);

  // The data time follows the live buffer without re-rendering: written straight into the span.
  useEverySecond(() => {
    const el = timeRef.current;
    if (!el) return;
    const text = !def.live ? T.companyRecords[lang] : replayAt !== null ? formatShanghaiMinute(replayAt) : live.hasFrame ? formatShanghaiTime(live.tsMs) : T.waitingForData[lang];
    if (el.textContent !== text) el.textContent = text;
  }, [def.live, lang, replayAt]);

  return (
    <section className="legend panel" data-testid="legend" data-metric={metric} aria-label={`${T.legend.zh} / ${T.legend.en}`}>
      <MetricSwitch />
      <div className="legend__head">
        <Bi text={def.label} lang={lang} className="legend__title" />
        <span className="legend__unit">
          <Bi text={def.unit} lang={lang} inline />
        </span>
      </div>
      {comparing ? (
        <div data-testid="compare-legend">
          <Bi text={compare.kind === 'week' ? TX.compareTitle : TX.compareAtTitle} lang={lang} className="legend__compare-title" />
          <div className="legend__ramp" style={{ backgroundImage: divergingGradient }} role="img" aria-label={`${DIFF_DOMAIN_PP[0]}–+${DIFF_DOMAIN_PP[1]} ${TX.compareUnit.en}`} />
          <div className="legend__ticks" aria-hidden="true">
            <span>{`${DIFF_DOMAIN_PP[0]} ${TX.compareLower[lang]}`}</span>
            <span>0</span>
            <span>{`+${DIFF_DOMAIN_PP[1]} ${TX.compareHigher[lang]}`}</span>
          </div>
          <span className="legend__unit">
            <Bi text={TX.compareUnit} lang={lang} inline />
          </span>
        </div>
      ) : (
        <>
          <div className="legend__ramp" style={{ backgroundImage: rampGradient }} role="img" aria-label={`${min}–${max}`} />
          <div className="legend__ticks" aria-hidden="true">
            {ticks.map((t, i) => (
              <span key={i} data-testid={i === 0 ? 'legend-min' : i === 2 ? 'legend-max' : undefined}>
                {t}
              </span>
            ))}
          </div>
          {compare.kind !== 'off' && (
            <p className="legend__desc legend__desc--note">
              <Bi text={TX.compareNoHistory} lang={lang} />
            </p>
          )}
        </>
      )}
      <p className="legend__desc">
        <Bi text={def.description} lang={lang} />
      </p>
      {filterCount >= 0 && (
        <p className="legend__filter" data-testid="legend-filter" data-count={filterCount}>
          <strong>{DK.filterOn[lang]}</strong>{' '}
          {`${formatNumber(filterCount, lang)} / ${formatNumber(buildingCount, lang)} ${DK.filterMatches[lang]}`}
          <span className="bi__secondary" lang={lang === 'zh' ? 'en' : 'zh-CN'}>
            {' '}
            · {DK.filterOn[lang === 'zh' ? 'en' : 'zh']} {DK.filterMatches[lang === 'zh' ? 'en' : 'zh']}
          </span>
        </p>
      )}
      {focus && (
        <p className="legend__filter" data-testid="legend-focus">
          <strong>{DK.focusOn[lang]}</strong> {`${focus[lang]} · ${DK.focusRest[lang]}`}
          <span className="bi__secondary" lang={lang === 'zh' ? 'en' : 'zh-CN'}>
            {` · ${DK.focusOn[lang === 'zh' ? 'en' : 'zh']} ${focus[lang === 'zh' ? 'en' : 'zh']} · ${DK.focusRest[lang === 'zh' ? 'en' : 'zh']}`}
          </span>
        </p>
      )}
      <div className="legend__foot">
        <div className="legend__swatches">
          <span className="legend__stale">
            <span className="swatch swatch--stale" aria-hidden="true" style={{ backgroundImage: staleHatch }} />
            <Bi text={T.stale} lang={lang} inline />
          </span>
          {alertRules > 0 && (
            <span className="legend__stale" data-testid="legend-alert">
              <span className="swatch swatch--alert" aria-hidden="true" style={{ borderColor: ALERT_CSS }} />
              <Bi text={DK.alertMark} lang={lang} inline />
            </span>
          )}
          {def.live && (
            <span className="legend__stale" data-testid="legend-na">
              <span className="swatch" aria-hidden="true" style={{ background: NA_CSS }} />
              <Bi text={def.notApplicable} lang={lang} inline />
            </span>
          )}
        </div>
        <span className="legend__time">
          <span className="legend__time-label">
            <Bi text={T.dataTime} lang={lang} inline />
          </span>
          <span className="legend__time-value" data-testid="data-time" ref={timeRef} />
          {def.live && simulator && simulator.mode !== 'off' && simulator.speed !== 1 && (
            <span className="legend__clock">
              <Bi text={{ zh: `${T.simulatedClock.zh} ×${simulator.speed}`, en: `${T.simulatedClock.en} ×${simulator.speed}` }} lang={lang} inline />
            </span>
          )}
        </span>
      </div>
    </section>
  );
}
