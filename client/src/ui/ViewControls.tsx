/** Reset view and the compass (its needle is turned by the camera rig, by mutation). */
import { useEffect, useRef } from 'react';
import { useTwin } from '../state/store.ts';
import { viewCommands } from '../state/viewCommands.ts';
import { T } from './strings.ts';

export function ViewControls() {
  const lang = useTwin((s) => s.view.lang);
  const { northUp, resetView } = useTwin((s) => s.actions);
  const other = lang === 'zh' ? 'en' : 'zh';
  const needle = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    viewCommands.compassNeedle = needle.current;
    return () => {
      viewCommands.compassNeedle = null;
    };
  }, []);
  return (
    <div className="view-controls">
      <button
        type="button"
        className="compass panel"
        data-testid="compass"
        title={`${T.northUp[lang]} / ${T.northUp[other]}`}
        aria-label={`${T.northUp.zh} / ${T.northUp.en}`}
        onClick={() => northUp()}
      >
        <span className="compass__needle" ref={needle}>
          <svg viewBox="0 0 40 40" aria-hidden="true">
            <text x="20" y="9.5" textAnchor="middle" className="compass__n">
              N
            </text>
            <path d="M20 11 L24.5 21 L20 19.2 L15.5 21 Z" className="compass__north" />
            <path d="M20 31 L24.5 21 L20 22.8 L15.5 21 Z" className="compass__south" />
          </svg>
        </span>
      </button>
      <button type="button" className="reset-view panel panel--pill" data-testid="reset-view" onClick={() => resetView()}>
        <svg viewBox="0 0 24 24" aria-hidden="true" className="reset-view__icon">
          <path d="M4 9V4h5M20 15v5h-5M4 4l6 6M20 20l-6-6" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        <span className="reset-view__text">
          <span>{T.resetView[lang]}</span>
          <span className="reset-view__other">{T.resetView[other]}</span>
        </span>
      </button>
    </div>
  );
}
