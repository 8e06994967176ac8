/**
 * `/tour`: the unattended lobby wall. An attract loop (client/src/tour/tourPlan.ts: the district, then its clusters)
 * sets the SAME view state as every other driver — `actions.applyPatch` for metric and selection, which frames the
 * cluster through the camera rig, `actions.flyTo(null)` for the district's home view — and shows large bilingual
 * captions filled from live numbers, the district's key figures with their sources, and nothing a desktop needs.
 *
 * Made for a 4K panel read from 3–5 m: every text ≥ 1/50 of the screen height (sizes in vh), no cursor, no controls,
 * a slow drift of the whole picture against burn-in. A touch or a key pauses the loop and shows the explorer's
 * controls (the Hud); the loop resumes after TOUR_IDLE_S without input. It never lies and never freezes: the offline
 * banner after 10 s without frames with the colours greyed, recovery by itself (the socket reconnects), and a reload
 * when the server reports a newer client build.
 *
 * URL: `?step=S` seconds per step (default TOUR_STEP_S), `?idle=S` seconds before resuming, `?buildPoll=S` seconds
 * between build checks (default 60), `?lang=zh|en` fixes the
 * language (otherwise the wall alternates every 30 s, like /lobby).
 */
import { useEffect, useMemo, useState } from 'react';
import type { Bilingual } from '@models/district.ts';
import { FIGURE_SOURCE_LABEL, type ResolvedFigure } from '@models/story.ts';
import { TwinCanvas } from '../scene/TwinCanvas.tsx';
import { Hud } from '../ui/Hud.tsx';
import { OfflineBanner } from '../ui/OfflineBanner.tsx';
import { cameraBridge, live, liveIsStale, useTwin, type Lang } from '../state/store.ts';
import { useKeyFigures } from '../briefing/keyFigures.ts';
import { clusterFigures } from '../tools/clusterFigures.ts';
import { startBuildWatch } from '../net/buildReload.ts';
import { CAPTION_SOURCE_LABEL, TOUR_FIGURES, TOUR_IDLE_S, TOUR_STEP_S, stepAt, tourCaption, tourPlan, type TourCaption } from '../tour/tourPlan.ts';
import { useWallLang } from './useWallLang.ts';
import { useLiveDerived } from '../state/useLiveDerived.ts';
import '../tour/tour.css';


function numberParam(name: string, fallback: number): number {
  const v = Number(new URLSearchParams(window.location.search).get(name));
  return Number.isFinite(v) && v > 0 ? v : fallback;
}


/** Paused by a touch or a key; resumes after `idleMs` without input. */
function usePause(idleMs: number): boolean {
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    let timer = 0;
    const input = () => {
      setPaused(true);
      window.clearTimeout(timer);
      timer = window.setTimeout(() => setPaused(false), idleMs);
    };
    const opts = { capture: true, passive: true } as const;
    window.addEventListener('keydown', input, opts);
    window.addEventListener('pointerdown', input, opts);
    window.addEventListener('wheel', input, opts);
    return () => {
      window.clearTimeout(timer);
      window.removeEventListener('keydown', input, opts);
      window.removeEventListener('pointerdown', input, opts);
      window.removeEventListener('wheel', input, opts);
    };
  }, [idleMs]);
  return paused;
}

export function TourView() {
  const district = useTwin((s) => s.district);
  const actions = useTwin((s) => s.actions);
  const lang = useWallLang();
  const stepMs = numberParam('step', TOUR_STEP_S) * 1000;
  const paused = usePause(numberParam('idle', TOUR_IDLE_S) * 1000);
  const steps = useMemo(() => (district ? tourPlan(district) : []), [district]);
  /** The step on screen: null until the loop has applied one (the caption waits for it). */
  const [index, setIndex] = useState<number | null>(null);
  const step = index === null ? undefined : steps[index];

  useEffect(() => startBuildWatch(numberParam('buildPoll', 60) * 1000), []);

  // The loop: the step of the wall clock, applied through the store's actions. Paused, it leaves the view to the person.
  useEffect(() => {
    if (paused || steps.length === 0) return;
    let shown = -1;
    const tick = () => {
      const i = stepAt(Date.now(), stepMs, steps.length);
      if (i === shown) return;
      // the camera rig is not mounted yet (the district is still being built): it could not frame the cluster, so
      // wait for it rather than show the step from wherever the camera is
      if (!cameraBridge.currentPose()) return;
      shown = i;
      const step = steps[i]!;
      const r = actions.applyPatch(step.patch);
      if (!r.ok) console.error(`tour step ${step.id}: ${r.error}`);
      if (step.clusterId) actions.selectCluster(step.clusterId);
      else actions.flyTo(null);
      setIndex(i);
    };
    tick();
    const id = window.setInterval(tick, Math.min(1000, stepMs / 4));
    return () => window.clearInterval(id);
  }, [paused, steps, stepMs, actions]);

  const caption = useCaption(step, district);
  const figures = useKeyFigures(TOUR_FIGURES, NO_FACTS);

  return (
    <div className={`tour${paused ? ' tour--paused' : ''}`} data-testid="tour" data-lang={lang} data-step={step?.id ?? ''} data-paused={paused ? '1' : '0'}>
      <div className="tour__stage">
        <TwinCanvas />
      </div>
      {paused ? (
        <Hud />
      ) : (
        <div className="tour__overlay">
          {caption && <Caption caption={caption} lang={lang} />}
          {figures && <Figures figures={figures} lang={lang} />}
        </div>
      )}
      <OfflineBanner />
    </div>
  );
}

const NO_FACTS: never[] = [];

/** The caption of the step shown, recomputed every second from the live buffer (committed only when it changes). */
function useCaption(step: ReturnType<typeof tourPlan>[number] | undefined, district: ReturnType<typeof useTwin.getState>['district']): TourCaption | null {
  return useLiveDerived(() => {
    if (!step || !district) return null;
    const { staleAfterS } = useTwin.getState();
    return tourCaption(step, district, clusterFigures(district, live, liveIsStale(performance.now(), staleAfterS)));
  }, [step, district]);
}

const other = (lang: Lang): Lang => (lang === 'zh' ? 'en' : 'zh');
const pair = (t: Bilingual, lang: Lang) => `${t[lang]} · ${t[other(lang)]}`;

function Caption({ caption, lang }: { caption: TourCaption; lang: Lang }) {
  return (
    <div className="tour__caption" data-testid="tour-caption" data-value={caption.value ?? ''} data-source={caption.source ?? ''}>
      <div className="tour__title">
        {caption.title[lang]} · {caption.figure[lang]}
      </div>
      <div className="tour__title tour__title--second">
        {caption.title[other(lang)]} · {caption.figure[other(lang)]}
      </div>
      {caption.source && <span className={`tour__source tour__source--${caption.source}`}>{pair(CAPTION_SOURCE_LABEL[caption.source], lang)}</span>}
    </div>
  );
}

function Figures({ figures, lang }: { figures: ResolvedFigure[]; lang: Lang }) {
  return (
    <ul className="tour__figures" data-testid="tour-figures">
      {figures.map((f) => (
        <li key={f.label.en} className="tour__figure" data-source={f.source}>
          <b className="tour__figure-value">{f.text ? f.text[lang] : '—'}</b>
          <span className="tour__figure-label">{f.label[lang]}</span>
          <span className={`tour__source tour__source--${f.source}`}>{FIGURE_SOURCE_LABEL[f.source][lang]}</span>
        </li>
      ))}
    </ul>
  );
}
