/**
 * `/briefing`: a story on the wall. Alone (no `?group=`), a presentation clicker or the keyboard drives it: → / Space /
 * PageDown next, ← / PageUp back, B (or .) blanks, L switches the language. With `?group=CODE` the screen follows its
 * presenter group (`briefing:state` from the server, driven by `/remote`) and its keys drive nothing. Without a
 * presenter the screen runs its attract loop: the story's steps in turn.
 *
 * Each shown step sets the view state through one ViewPatch (briefing/applyStep.ts). Text is sized in vh so a 4K wall
 * read from 4 m gets at least 1/50 of the screen height.
 */
import { useEffect, useMemo, useState } from 'react';
import type { BriefingState } from '@models/briefing.ts';
import type { Lang, ViewPatch } from '@models/view.ts';
import type { Bilingual } from '@models/district.ts';
import { FIGURE_SOURCE_LABEL, type Fact, type ResolvedFigure, type StoryStep } from '@models/story.ts';
import { TwinCanvas } from '../scene/TwinCanvas.tsx';
import { LabelLayer } from '../scene/labels/LabelLayer.tsx';
import { applyPatch, currentLang } from '../briefing/applyStep.ts';
import { openBriefingSocket, request } from '../briefing/briefingSocket.ts';
import { useKeyFigures } from '../briefing/keyFigures.ts';
import { useStory, useStoryList } from '../briefing/stories.ts';
import { B } from '../briefing/strings.ts';
import { stepAt } from '../tour/tourPlan.ts';
import '../briefing/briefing.css';

/** Seconds a step stays on the wall in the attract loop. */
export const ATTRACT_STEP_S = 20;

type Shown = Pick<BriefingState, 'mode' | 'storyId' | 'step' | 'blank' | 'lang' | 'metric' | 'patch'>;

const NEXT_KEYS = new Set(['ArrowRight', 'ArrowDown', 'PageDown', ' ', 'Enter']);
const BACK_KEYS = new Set(['ArrowLeft', 'ArrowUp', 'PageUp', 'Backspace']);

export function BriefingView() {
  const params = useMemo(() => new URLSearchParams(window.location.search), []);
  const group = params.get('group')?.trim().toUpperCase() || null;
  const list = useStoryList();
  const [shown, setShown] = useState<Shown>(() => ({
    mode: group ? 'attract' : 'story',
    storyId: params.get('story'),
    step: 0,
    blank: false,
    lang: currentLang(),
    metric: null,
    patch: null,
  }));
  const [joinError, setJoinError] = useState<string | null>(null);
  const [attractAtMs, setAttractAtMs] = useState<number | null>(null);
  const storyId = shown.storyId ?? list?.[0]?.id ?? null;
  const story = useStory(storyId);
  const steps = story?.story.steps ?? [];

  // A screen of a group follows the server's state.
  useEffect(() => {
    if (!group) return;
    const follow = (s: BriefingState) => {
      setShown({ mode: s.mode, storyId: s.storyId, step: s.step, blank: s.blank, lang: s.lang, metric: s.metric, patch: s.patch });
      setAttractAtMs(s.attractAtMs);
    };
    const socket = openBriefingSocket(follow, (s) => {
      void request<BriefingState>(s, 'screen:join', { group }).then((res) => {
        if (res.ok) {
          setJoinError(null);
          follow(res.data);
        } else setJoinError(res.error);
      });
    });
    return () => {
      socket.close();
    };
  }, [group]);

  // Alone, the keyboard (a presentation clicker sends PageUp/PageDown) drives the story.
  useEffect(() => {
    if (group) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const last = Math.max(steps.length - 1, 0);
      if (NEXT_KEYS.has(e.key)) setShown((s) => ({ ...s, mode: 'story', step: s.mode === 'attract' ? 0 : Math.min(s.step + 1, last), blank: false, metric: null, patch: null }));
      else if (BACK_KEYS.has(e.key)) setShown((s) => ({ ...s, mode: 'story', step: Math.max(s.step - 1, 0), blank: false, metric: null, patch: null }));
      else if (e.key === 'b' || e.key === 'B' || e.key === '.') setShown((s) => ({ ...s, blank: !s.blank }));
      else if (e.key === 'l' || e.key === 'L') setShown((s) => ({ ...s, lang: s.lang === 'zh' ? 'en' : 'zh' }));
      else if (e.key === 'Home') setShown((s) => ({ ...s, mode: 'story', step: 0, blank: false }));
      else if (e.key === 'Escape') setShown((s) => ({ ...s, mode: 'attract', blank: false }));
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [group, steps.length]);

  // The attract loop: the steps in turn, by the wall clock, so the screens of a room change step together.
  const [attractStep, setAttractStep] = useState(0);
  useEffect(() => {
    if (shown.mode !== 'attract' || steps.length === 0) return;
    // one wall-clock rule for both attract loops (this one and /tour's): client/src/tour/tourPlan.ts stepAt
    const tick = () => setAttractStep(stepAt(Date.now(), ATTRACT_STEP_S * 1000, steps.length));
    tick();
    const id = window.setInterval(tick, 1000);
    return () => window.clearInterval(id);
  }, [shown.mode, steps.length]);

  const index = Math.min(shown.mode === 'attract' ? attractStep : shown.step, Math.max(steps.length - 1, 0));
  const step: StoryStep | undefined = steps[index];

  // One patch per change of what is shown: the step's view, then the presenter's language, metric and patch.
  useEffect(() => {
    if (!step) return;
    const patch: ViewPatch = { ...step.view, lang: shown.lang, ...(shown.metric ? { metric: shown.metric } : {}), ...(shown.patch ?? {}) };
    applyPatch(patch);
  }, [step, shown.lang, shown.metric, shown.patch]);

  const lang = shown.lang;
  return (
    <div
      className="briefing"
      data-mode={shown.mode}
      data-step={step ? index : ''}
      data-step-id={step?.id ?? ''}
      data-story={storyId ?? ''}
      data-blank={shown.blank ? '1' : '0'}
      data-group={group ?? ''}
    >
      <div className="stage">
        <TwinCanvas />
        <LabelLayer />
        <div className="vignette" aria-hidden="true" />
      </div>
      {step && story ? (
        <Caption step={step} index={index} count={steps.length} storyTitle={story.story.title} facts={story.facts} lang={lang} attract={shown.mode === 'attract'} />
      ) : (
        <div className="briefing__caption briefing__panel">
          <p className="briefing__text">{list && list.length === 0 ? pair(B.noStory!, lang) : pair(B.loading!, lang)}</p>
        </div>
      )}
      <div className="briefing__corner briefing__panel">
        {group && (
          <span className="briefing__tag" data-testid="group-code">
            {pair(B.group!, lang)} {group}
          </span>
        )}
        {shown.mode === 'attract' && <span className="briefing__tag">{pair(group ? B.waiting! : B.attract!, lang)}</span>}
        {attractAtMs !== null && shown.mode === 'story' && <span className="briefing__tag briefing__tag--warn">{pair(B.attractIn!, lang)}</span>}
        {joinError && <span className="briefing__tag briefing__tag--warn" role="alert">{joinError}</span>}
      </div>
      <div className="briefing__blank" aria-hidden={!shown.blank} data-shown={shown.blank ? '1' : '0'} />
    </div>
  );
}

/** "中文 · English" with the chosen language first. */
function pair(t: Bilingual, lang: Lang): string {
  return lang === 'zh' ? `${t.zh} · ${t.en}` : `${t.en} · ${t.zh}`;
}

function Caption({ step, index, count, storyTitle, facts, lang, attract }: { step: StoryStep; index: number; count: number; storyTitle: Bilingual; facts: Fact[]; lang: Lang; attract: boolean }) {
  const figures = useKeyFigures(step.figures, facts);
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  return (
    <section className="briefing__caption briefing__panel" aria-live="polite" lang={lang === 'zh' ? 'zh-CN' : 'en'}>
      <p className="briefing__meta">
        <span className="briefing__counter" data-testid="step-counter">
          {index + 1} / {count}
        </span>{' '}
        · {storyTitle[lang]}
        {attract && <> · {B.attract![lang]}</>}
      </p>
      <h1 className="briefing__title" data-testid="step-title">
        {step.title[lang]}
      </h1>
      <p className="briefing__title-other" lang={other === 'zh' ? 'zh-CN' : 'en'}>
        {step.title[other]}
      </p>
      <p className="briefing__text" data-testid="step-text">
        {step.text[lang]}
      </p>
      {figures && figures.length > 0 && (
        <ul className="briefing__figures">
          {figures.map((f, i) => (
            <FigureTile key={i} figure={f} lang={lang} />
          ))}
        </ul>
      )}
    </section>
  );
}

/** Display width of a text in half-width units (a CJK character counts two). */
const displayWidth = (text: string) => [...text].reduce((w, ch) => w + (ch.codePointAt(0)! >= 0x2e80 ? 2 : 1), 0);
/** A figure whose value is a phrase rather than a number is set smaller and wider, so it does not break word by word. */
const PHRASE_WIDTH = 16;

function FigureTile({ figure, lang }: { figure: ResolvedFigure; lang: Lang }) {
  const phrase = !!figure.text && displayWidth(figure.text[lang]) > PHRASE_WIDTH;
  return (
    <li className={`briefing__figure${phrase ? ' briefing__figure--phrase' : ''}`} data-source={figure.source} title={figure.cite}>
      <span className="briefing__figure-value">{figure.text ? figure.text[lang] : '—'}</span>
      <span className="briefing__figure-label">{figure.label[lang]}</span>
      <span className={`briefing__figure-source briefing__figure-source--${figure.source}`}>
        {FIGURE_SOURCE_LABEL[figure.source][lang]}
        {figure.cite ? ` · ${figure.cite}` : ''}
      </span>
    </li>
  );
}
