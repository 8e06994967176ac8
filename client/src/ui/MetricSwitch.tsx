import { METRIC_IDS, METRICS } from '@models/metrics.ts';
import { useTwin } from '../state/store.ts';
import { Bi } from './Bi.tsx';
import { T } from './strings.ts';

export function MetricSwitch() {
  const lang = useTwin((s) => s.view.lang);
  const metric = useTwin((s) => s.view.metric);
  const { setMetric } = useTwin((s) => s.actions);
  return (
    <div className="metric-switch" role="radiogroup" aria-label={`${T.metric.zh} / ${T.metric.en}`}>
      {METRIC_IDS.map((id) => (
        <button
          key={id}
          type="button"
          role="radio"
          aria-checked={metric === id}
          className={`metric-switch__option${metric === id ? ' is-active' : ''}`}
          data-testid={`metric-${id}`}
          onClick={() => setMetric(id)}
        >
          <Bi text={METRICS[id].label} lang={lang} />
        </button>
      ))}
    </div>
  );
}
