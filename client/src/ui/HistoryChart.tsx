/**
 * One building metric over a range (uPlot), simulated and ingested minutes as two series in two colours so they are
 * told apart; the range ends at the minute on screen and is fetched again every minute (the chart follows live).
 * Reads `GET /api/v1/history`; extra fields the server may add (resolution, point counts, downsampled buckets) are
 * ignored, and only `points[].ts|value|source` are read.
 */
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { LiveMetric } from '@models/metrics.ts';
import { METRICS } from '@models/metrics.ts';
import { rampCss } from '@models/colour.ts';
import { useTwin, type Lang } from '../state/store.ts';
import { minuteOnScreen } from '../state/frameSources.ts';
import { TX } from './explorerStrings.ts';

const REFRESH_MS = 60_000;
/** Series colours: the ramp's bright end for simulated, white for ingested (the legend names both). */
const SIM_COLOUR = rampCss(0.75);
const INGEST_COLOUR = '#ffffff';

interface Point {
  ts: string;
  value: number;
  source: string;
}

async function fetchSeries(building: string, metric: LiveMetric, fromMs: number, toMs: number, signal: AbortSignal): Promise<Point[]> {
  const q = new URLSearchParams({ building, metric, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() });
  const res = await fetch(`/api/v1/history?${q}`, { signal, headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET /api/v1/history → ${res.status}`);
  const body = (await res.json()) as { points?: unknown };
  if (!Array.isArray(body.points)) return [];
  return body.points.filter((p): p is Point => !!p && typeof (p as Point).ts === 'string' && typeof (p as Point).value === 'number');
}

export function HistoryChart({ building, metric, rangeMs, label, lang }: { building: string; metric: LiveMetric; rangeMs: number; label: { zh: string; en: string }; lang: Lang }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [count, setCount] = useState<number | null>(null);
  const replayAt = useTwin((s) => (s.view.mode.kind === 'replay' ? s.view.mode.atMs : null));
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  const def = METRICS[metric];

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let aborter = new AbortController();
    let disposed = false;
    const load = async () => {
      aborter.abort();
      aborter = new AbortController();
      const to = minuteOnScreen(useTwin.getState().view) + 60_000;
      try {
        const points = await fetchSeries(building, metric, to - rangeMs, to, aborter.signal);
        if (disposed) return;
        const xs: number[] = [];
        const sim: (number | null)[] = [];
        const ing: (number | null)[] = [];
        for (const p of points) {
          xs.push(Date.parse(p.ts) / 1000);
          const v = p.value * def.displayScale;
          sim.push(p.source === 'ingest' ? null : v);
          ing.push(p.source === 'ingest' ? v : null);
        }
        setCount(points.length);
        const data: uPlot.AlignedData = [xs, sim, ing];
        if (plot.current) plot.current.setData(data);
        else {
          plot.current = new uPlot(
            {
              width: Math.max(200, el.clientWidth),
              height: 90,
              legend: { show: false },
              cursor: { show: true, drag: { x: false, y: false } },
              // Shanghai time on the axis, whatever the browser's zone
              tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Asia/Shanghai'),
              scales: { y: { range: [def.domain[0], def.domain[1]] } },
              axes: [
                { stroke: '#a3afc0', grid: { stroke: 'rgba(255,255,255,0.06)' }, ticks: { show: false }, font: '10px sans-serif' },
                { stroke: '#a3afc0', grid: { stroke: 'rgba(255,255,255,0.06)' }, ticks: { show: false }, size: 30, font: '10px sans-serif' },
              ],
              series: [
                {},
                { label: `${TX.simulatedSeries.zh} / ${TX.simulatedSeries.en}`, stroke: SIM_COLOUR, width: 1.5, spanGaps: false, points: { show: false } },
                { label: `${TX.ingestSeries.zh} / ${TX.ingestSeries.en}`, stroke: INGEST_COLOUR, width: 2, spanGaps: false, points: { show: true, size: 3 } },
              ],
            },
            data,
            el,
          );
        }
      } catch (err) {
        if (!disposed && !(err instanceof DOMException && err.name === 'AbortError')) setCount(-1);
      }
    };
    void load();
    const id = window.setInterval(() => void load(), REFRESH_MS);
    return () => {
      disposed = true;
      aborter.abort();
      window.clearInterval(id);
      plot.current?.destroy();
      plot.current = null;
    };
  }, [building, metric, rangeMs, replayAt, def]);

  return (
    <figure className="inspect__chart" data-testid={`chart-${metric}-${rangeMs}`}>
      <figcaption>
        {label[lang]} <span className="inspect__other">{label[other]}</span>
        <span className="inspect__chart-key">
          <span className="inspect__key" style={{ background: SIM_COLOUR }} /> {TX.simulatedSeries[lang]}
          <span className="inspect__key" style={{ background: INGEST_COLOUR }} /> {TX.ingestSeries[lang]}
        </span>
      </figcaption>
      <div ref={box} className="inspect__plot" aria-hidden="true" hidden={count === 0} />
      {count === 0 && <p className="inspect__note">{`${TX.noHistory[lang]} · ${TX.noHistory[other]}`}</p>}
    </figure>
  );
}
