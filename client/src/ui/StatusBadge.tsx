/** Connection status with the age of the last frame; the age is updated by the badge itself, once a second. */
import { useRef } from 'react';
import { live, useTwin } from '../state/store.ts';
import { formatAge } from './format.ts';
import { T } from './strings.ts';
import { TX } from './explorerStrings.ts';
import { useEverySecond } from './useEverySecond.ts';

export function StatusBadge() {
  const lang = useTwin((s) => s.view.lang);
  const connection = useTwin((s) => s.connection);
  const staleAfterS = useTwin((s) => s.staleAfterS);
  // a replayed minute is never shown as live: the badge says replay (the age counter is the live feed's, still running)
  const replaying = useTwin((s) => s.view.mode.kind === 'replay');
  const badgeRef = useRef<HTMLDivElement>(null);
  const ageRef = useRef<HTMLSpanElement>(null);
  const other = lang === 'zh' ? 'en' : 'zh';

  useEverySecond(() => {
    const badge = badgeRef.current;
    const age = ageRef.current;
    if (!badge) return;
    if (!age) return;
    const ageMs = performance.now() - live.receivedAtMs;
    const fresh = live.hasFrame && ageMs <= staleAfterS * 1000;
    const text = live.hasFrame ? `${T.lastFrame[lang]} ${formatAge(ageMs, lang)}` : T.noFrameYet[lang];
    if (age.textContent !== text) age.textContent = text;
    const f = fresh ? '1' : '0';
    if (badge.dataset.fresh !== f) badge.dataset.fresh = f;
  }, [lang, staleAfterS]);

  return (
    <div className="status panel panel--pill" data-testid="status-badge" data-status={replaying ? 'replay' : connection} data-fresh="0" ref={badgeRef} role="status" aria-live="polite">
      <span className="status__dot" aria-hidden="true" />
      {replaying ? (
        <span className="status__text">
          <span className="status__state">
            {TX.replay[lang]}
            <span className="status__state-other">{TX.replay[other]}</span>
          </span>
        </span>
      ) : (
      <span className="status__text">
        {/* connected but no fresh frame: the badge says so (which variant shows is switched by data-fresh, in CSS) */}
        <span className="status__state status__state--fresh">
          {T.status[connection][lang]}
          <span className="status__state-other">{T.status[connection][other]}</span>
        </span>
        {connection === 'live' && (
          <span className="status__state status__state--stale">
            {T.delayed[lang]}
            <span className="status__state-other">{T.delayed[other]}</span>
          </span>
        )}
        {/* the age changes every second: excluded from the live region, so only a change of state is announced */}
        <span className="status__age" ref={ageRef} aria-live="off" />
      </span>
      )}
    </div>
  );
}
