/** Shown while the simulator feeds the view (snapshot.simulator.mode ≠ 'off', or frame source bits say simulated). */
import { useTwin } from '../state/store.ts';
import { T } from './strings.ts';

export function SimulatedBadge() {
  const lang = useTwin((s) => s.view.lang);
  const inView = useTwin((s) => s.simulatedInView);
  const share = useTwin((s) => s.simulatedShare);
  if (!inView) return null;
  const other = lang === 'zh' ? 'en' : 'zh';
  const partial = share > 0 && share < 1;
  const pct = Math.round(share * 100);
  return (
    <div className="simulated panel panel--pill" data-testid="simulated-badge" role="note">
      <span className="simulated__icon" aria-hidden="true">
        ◇
      </span>
      <span className="simulated__text">
        <span className="simulated__primary">{T.simulated[lang]}</span>
        <span className="simulated__secondary">
          {T.simulated[other]}
          {partial && ` · ${pct}%`}
        </span>
      </span>
    </div>
  );
}
