/**
 * Alert rules: add and remove rules (metric, above/below, threshold %, for N minutes, optionally one cluster), and the
 * buildings that match now with since-when (Shanghai time), each a click away.
 *
 * Rules live in the view state (so they travel in the URL, `al=`): every change is `onPatch({ alerts })`. They are also
 * kept in this browser (localStorage): on mount, when the view has no rules (no `al=` in the link), the stored ones
 * are restored. The evaluator is fed frames by the caller; this panel hands it the rules and reads its matches about
 * once a second, re-rendering only when the evaluator's `version` moved.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { District } from '@models/district.ts';
import { METRICS } from '@models/metrics.ts';
import type { AlertRule, Lang, Selection, ViewPatch } from '@models/view.ts';
import { AlertEvaluator, loadStoredAlerts, saveStoredAlerts, type AlertMatch } from '../tools/alerts.ts';
import { buildingLabel } from '../tools/searchIndex.ts';
import { Bi } from './Bi.tsx';
import { formatNumber, formatShanghaiTime } from './format.ts';
import { TT, both } from './toolStrings.ts';
import './tools.css';

export interface AlertPanelProps {
  lang: Lang;
  district: District;
  /** The view's rules (`view.alerts`). */
  rules: readonly AlertRule[];
  /** Fed with every frame by the caller (`evaluator.update(values, tsMs)`); the panel sets its rules. */
  evaluator: AlertEvaluator;
  onPatch: (patch: ViewPatch) => void;
  onSelect: (selection: Selection) => void;
}

const MAX_RULES = 20;
const MAX_LISTED = 100;

export function ruleText(rule: AlertRule, district: District, lang: Lang): string {
  const metric = METRICS[rule.metric].label[lang];
  const op = (rule.op === 'gt' ? TT.above : TT.below)[lang];
  const cluster = rule.cluster ? district.clusters.find((c) => c.id === rule.cluster)?.name[lang] ?? rule.cluster : TT.wholeDistrict[lang];
  if (lang === 'zh') {
    return `${cluster}：${metric}${op} ${rule.threshold}%${rule.forMinutes > 0 ? ` 持续 ${rule.forMinutes} 分钟` : ''}`;
  }
  return `${metric} ${op} ${rule.threshold} %${rule.forMinutes > 0 ? ` for ${rule.forMinutes} min` : ''} · ${cluster}`;
}

export function AlertPanel({ lang, district, rules, evaluator, onPatch, onSelect }: AlertPanelProps) {
  const id = useId();
  const [metric, setMetric] = useState<AlertRule['metric']>('occupancy');
  const [op, setOp] = useState<AlertRule['op']>('gt');
  const [threshold, setThreshold] = useState('90');
  const [forMinutes, setForMinutes] = useState('0');
  const [cluster, setCluster] = useState('');
  const [matches, setMatches] = useState<AlertMatch[]>([]);
  const seen = useRef(-1);

  // restore this browser's rules when the link brought none
  useEffect(() => {
    if (rules.length === 0) {
      const stored = loadStoredAlerts();
      if (stored.length) onPatch({ alerts: stored });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // keep the browser's copy and the evaluator in step with the view
  const mounted = useRef(false);
  useEffect(() => {
    if (mounted.current) saveStoredAlerts(rules);
    mounted.current = true;
    evaluator.setRules(rules);
    seen.current = -1;
  }, [rules, evaluator]);

  useEffect(() => {
    const read = () => {
      if (evaluator.version === seen.current) return;
      seen.current = evaluator.version;
      setMatches(evaluator.matches());
    };
    read();
    const timer = window.setInterval(read, 1000);
    return () => window.clearInterval(timer);
  }, [evaluator, rules]);

  const thresholdValue = Number(threshold);
  const minutesValue = Number(forMinutes);
  const valid =
    threshold.trim() !== '' &&
    Number.isFinite(thresholdValue) &&
    thresholdValue >= 0 &&
    thresholdValue <= 100 &&
    forMinutes.trim() !== '' &&
    Number.isInteger(minutesValue) &&
    minutesValue >= 0 &&
    minutesValue <= 24 * 60 &&
    rules.length < MAX_RULES;

  const add = (e: React.FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    const rule: AlertRule = { metric, op, threshold: thresholdValue, forMinutes: minutesValue, ...(cluster ? { cluster } : {}) };
    onPatch({ alerts: [...rules, rule] });
  };
  const remove = (index: number) => onPatch({ alerts: rules.filter((_, i) => i !== index) });
  const other: Lang = lang === 'zh' ? 'en' : 'zh';

  return (
    <section className="tool panel alerts" aria-labelledby={`${id}-title`} data-testid="alert-panel">
      <h2 className="tool__title" id={`${id}-title`}>
        <Bi text={TT.alerts} lang={lang} inline />
      </h2>

      <form onSubmit={add} aria-label={both(TT.addRule, lang)}>
        <div className="tool__row">
          <label>
            <span className="tool__label">{both(TT.metric, lang)}</span>
            <select value={metric} onChange={(e) => setMetric(e.target.value as AlertRule['metric'])} data-testid="alert-metric">
              {(['occupancy', 'computeLoad'] as const).map((m) => (
                <option key={m} value={m}>
                  {METRICS[m].label[lang]} · {METRICS[m].label[other]}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span className="tool__label">
              {TT.above[lang]} / {TT.below[lang]}
            </span>
            <select value={op} onChange={(e) => setOp(e.target.value as AlertRule['op'])} data-testid="alert-op">
              <option value="gt">{both(TT.above, lang)}</option>
              <option value="lt">{both(TT.below, lang)}</option>
            </select>
          </label>
          <label>
            <span className="tool__label">{both(TT.threshold, lang)}</span>
            <input type="number" min={0} max={100} step="any" value={threshold} onChange={(e) => setThreshold(e.target.value)} style={{ width: '5rem' }} data-testid="alert-threshold" />
          </label>
          <label>
            <span className="tool__label">{both(TT.forMinutes, lang)}</span>
            <input type="number" min={0} max={1440} step={1} value={forMinutes} onChange={(e) => setForMinutes(e.target.value)} style={{ width: '5rem' }} data-testid="alert-minutes" />
          </label>
          <label>
            <span className="tool__label">{both(TT.inCluster, lang)}</span>
            <select value={cluster} onChange={(e) => setCluster(e.target.value)} data-testid="alert-cluster">
              <option value="">{both(TT.wholeDistrict, lang)}</option>
              {district.clusters.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name[lang]} · {c.name[other]}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="tool__button" disabled={!valid} data-testid="alert-add">
            {both(TT.addRule, lang)}
          </button>
        </div>
        {rules.length >= MAX_RULES && <p className="tool__note">{both(TT.rulesFull, lang)}</p>}
      </form>

      {rules.length === 0 ? (
        <p className="tool__note">{both(TT.noRules, lang)}</p>
      ) : (
        <ul className="tool__list" aria-label={both(TT.alerts, lang)} data-testid="alert-rules">
          {rules.map((r, i) => (
            <li key={`${i}:${r.metric}:${r.op}:${r.threshold}:${r.forMinutes}:${r.cluster ?? ''}`} className="tool__row" style={{ justifyContent: 'space-between' }}>
              <span>{ruleText(r, district, lang)}</span>
              <button type="button" className="tool__button" onClick={() => remove(i)} aria-label={`${both(TT.removeRule, lang)}: ${ruleText(r, district, lang)}`}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}

      {rules.length > 0 && (
        <>
          <h3 className="tool__label" style={{ marginTop: '0.6rem' }}>
            {both(TT.matching, lang)} <span className="tool__count" data-testid="alert-match-count">{matches.length}</span>
          </h3>
          {matches.length === 0 ? (
            <p className="tool__note">{both(TT.noMatches, lang)}</p>
          ) : (
            <ul className="tool__list" data-testid="alert-matches">
              {matches.slice(0, MAX_LISTED).map((m) => {
                const b = district.buildings[m.buildingIndex]!;
                const name = buildingLabel(b);
                const rule = rules[m.rule];
                return (
                  <li key={`${m.rule}:${m.buildingIndex}`}>
                    <button type="button" className="tool__link" onClick={() => onSelect({ kind: 'building', id: b.id })} data-building={b.id}>
                      <span>
                        {name[lang]}
                        {rules.length > 1 && rule && <span className="tool__dim"> · {ruleText(rule, district, lang)}</span>}
                      </span>
                      <span className="tool__num">
                        {Number.isFinite(m.value) ? `${formatNumber(m.value, lang)} %` : ''}
                        <span className="tool__dim">
                          {' '}
                          {TT.since[lang]} {formatShanghaiTime(m.sinceMs)}
                        </span>
                      </span>
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
