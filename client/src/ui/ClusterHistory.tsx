/**
 * A cluster's last 24 hours (ending at the minute on screen): mean, lowest and highest of occupancy and compute load,
 * from `GET /api/v1/history/cluster` (models/api.ts ClusterHistoryResponse; the server weights occupancy by design
 * capacity and compute load by allocated compute and downsamples to a bounded number of points). Says whether any
 * measured reading is among them, else that the figures are simulated. Fetched again when the cluster or the minute
 * on screen changes, at most once a minute.
 */
import { useEffect, useState } from 'react';
import type { ClusterHistoryResponse } from '@models/api.ts';
import type { LiveMetric } from '@models/metrics.ts';
import { METRICS } from '@models/metrics.ts';
import { minuteOnScreen } from '../state/frameSources.ts';
import { useTwin, type Lang } from '../state/store.ts';
import { DK } from './dockStrings.ts';
import { formatNumber } from './format.ts';
import { both } from './toolStrings.ts';

const DAY_MS = 24 * 60 * 60_000;
const POINTS = 96;
const METRICS_SHOWN: LiveMetric[] = ['occupancy', 'computeLoad'];

interface Summary {
  metric: LiveMetric;
  mean: number;
  min: number;
  max: number;
  points: number;
  ingest: boolean;
  weighting: ClusterHistoryResponse['weighting'];
}

async function fetchSummary(cluster: string, metric: LiveMetric, fromMs: number, toMs: number, signal: AbortSignal): Promise<Summary | null> {
  const q = new URLSearchParams({ cluster, metric, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), points: String(POINTS) });
  const res = await fetch(`/api/v1/history/cluster?${q}`, { signal, headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET /api/v1/history/cluster → ${res.status}`);
  const body = (await res.json()) as ClusterHistoryResponse;
  const values = (body.points ?? []).filter((p) => typeof p.value === 'number' && Number.isFinite(p.value));
  if (values.length === 0) return null;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let ingest = false;
  for (const p of values) {
    sum += p.value;
    if (p.value < min) min = p.value;
    if (p.value > max) max = p.value;
    if (p.source === 'ingest') ingest = true;
  }
  return { metric, mean: sum / values.length, min, max, points: values.length, ingest, weighting: body.weighting };
}

export function ClusterHistory({ cluster, lang }: { cluster: string; lang: Lang }) {
  // refetch when the minute on screen moves (replay) or once a minute (live)
  const minute = useTwin((s) => (s.view.mode.kind === 'replay' ? s.view.mode.atMs : 'live'));
  const [tick, setTick] = useState(0);
  const [state, setState] = useState<{ loading: boolean; error: string | null; rows: (Summary | null)[] }>({ loading: true, error: null, rows: [] });

  useEffect(() => {
    if (minute !== 'live') return;
    const t = window.setInterval(() => setTick((n) => n + 1), 60_000);
    return () => window.clearInterval(t);
  }, [minute]);

  useEffect(() => {
    const abort = new AbortController();
    const to = minuteOnScreen(useTwin.getState().view);
    setState((s) => ({ ...s, loading: true, error: null }));
    Promise.all(METRICS_SHOWN.map((m) => fetchSummary(cluster, m, to - DAY_MS, to, abort.signal)))
      .then((rows) => setState({ loading: false, error: null, rows }))
      .catch((err: unknown) => {
        if (!abort.signal.aborted) setState({ loading: false, error: err instanceof Error ? err.message : String(err), rows: [] });
      });
    return () => abort.abort();
  }, [cluster, minute, tick]);

  const pct = (v: number, m: LiveMetric) => `${formatNumber(v * METRICS[m].displayScale, lang)} %`;
  return (
    <div className="cluster-history" data-testid="cluster-history" data-cluster={cluster} aria-busy={state.loading}>
      <h3 className="tool__title">{both(DK.last24h, lang)}</h3>
      {state.error ? (
        <p className="tool__note">
          {both(DK.historyFailed, lang)} ({state.error})
        </p>
      ) : state.loading && state.rows.length === 0 ? (
        <p className="tool__note">{both(DK.loading, lang)}</p>
      ) : (
        <dl className="tool__figures">
          {METRICS_SHOWN.map((m, i) => {
            const r = state.rows[i];
            return (
              <div key={m} className="cluster-history__row" data-testid={`cluster-history-${m}`}>
                <dt>{both(METRICS[m].label, lang)}</dt>
                <dd>
                  {r ? (
                    <>
                      {DK.mean[lang]} {pct(r.mean, m)} · {DK.min[lang]} {pct(r.min, m)} · {DK.max[lang]} {pct(r.max, m)}
                      <span className="tool__dim">
                        {' '}
                        ({DK.weighting[r.weighting][lang]}; {(r.ingest ? DK.historySource.ingest : DK.historySource.simulated)[lang]})
                      </span>
                    </>
                  ) : (
                    both(DK.noHistory, lang)
                  )}
                </dd>
              </div>
            );
          })}
        </dl>
      )}
    </div>
  );
}
