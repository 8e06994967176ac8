/**
 * "Save this view as a step" (issue 7): the view on screen becomes a story step (models/story.ts StoryStep: the view
 * as a ViewPatch, bilingual title, text and presenter notes), validated by the same schema the server reads stories
 * with, and downloaded as JSON ready to paste into the `steps` of data/stories/*.json. The patch carries what a story
 * sets (mode and time, metric, selection, camera, filters, compare); not the language (a wall shows both) nor alerts.
 * Key figures are references chosen by the author in the story file; the step starts with none.
 */
import { useId, useState } from 'react';
import { StoryStep } from '@models/story.ts';
import type { ViewState } from '@models/view.ts';
import { cameraBridge, type Lang } from '../state/store.ts';
import { downloadBlob } from '../tools/exportCsv.ts';
import { DK } from './dockStrings.ts';
import { both } from './toolStrings.ts';

/** The step for a view: what the planner typed, and the view as a patch. */
export function stepFromView(view: ViewState, fields: { id: string; titleZh: string; titleEn: string; textZh: string; textEn: string }, currentCamera = cameraBridge.currentPose()) {
  const camera = view.camera ?? currentCamera;
  return {
    id: fields.id.trim(),
    title: { zh: fields.titleZh.trim(), en: fields.titleEn.trim() },
    text: { zh: fields.textZh.trim(), en: fields.textEn.trim() },
    // the remote shows notes to the presenter; until the author writes some, they repeat the text
    notes: { zh: fields.textZh.trim(), en: fields.textEn.trim() },
    view: {
      mode: view.mode.kind === 'replay' ? { ...view.mode, speed: 0 } : view.mode,
      metric: view.metric,
      selection: view.selection,
      ...(camera ? { camera } : {}),
      filters: view.filters,
      compare: view.compare,
    },
    figures: [],
  };
}

export function SaveStep({ lang, view }: { lang: Lang; view: ViewState }) {
  const id = useId();
  const [fields, setFields] = useState({ id: '', titleZh: '', titleEn: '', textZh: '', textEn: '' });
  const [message, setMessage] = useState('');
  const set = (k: keyof typeof fields) => (e: { target: { value: string } }) => setFields((f) => ({ ...f, [k]: e.target.value }));

  const save = () => {
    const step = stepFromView(view, fields);
    const parsed = StoryStep.safeParse(step);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'step'}: ${i.message}`).join('; ');
      setMessage(`${both(DK.stepInvalid, lang)} — ${issues}`);
      return;
    }
    const json = `${JSON.stringify(parsed.data, null, 2)}\n`;
    downloadBlob(new Blob([json], { type: 'application/json' }), `westbund-step-${parsed.data.id}.json`);
    setMessage(`${both(DK.stepSaved, lang)}: westbund-step-${parsed.data.id}.json`);
  };

  const field = (k: keyof typeof fields, label: { zh: string; en: string }, multiline = false) => (
    <label className="tool__field" htmlFor={`${id}-${k}`}>
      <span className="tool__label">{both(label, lang)}</span>
      {multiline ? (
        <textarea id={`${id}-${k}`} rows={2} value={fields[k]} onChange={set(k)} data-testid={`step-${k}`} />
      ) : (
        <input id={`${id}-${k}`} type="text" value={fields[k]} onChange={set(k)} data-testid={`step-${k}`} />
      )}
    </label>
  );

  return (
    <section className="tool panel save-step" aria-labelledby={`${id}-title`} data-testid="save-step">
      <h2 className="tool__title" id={`${id}-title`}>
        {both(DK.saveStep, lang)}
      </h2>
      {field('id', DK.stepId)}
      {field('titleZh', DK.stepTitleZh)}
      {field('titleEn', DK.stepTitleEn)}
      {field('textZh', DK.stepTextZh, true)}
      {field('textEn', DK.stepTextEn, true)}
      <p className="tool__note">{DK.stepNote[lang]}</p>
      <button type="button" className="tool__button" onClick={save} data-testid="step-download">
        {both(DK.downloadStep, lang)}
      </button>
      <p className="tool__status" role="status" aria-live="polite" data-testid="step-status">
        {message}
      </p>
    </section>
  );
}
