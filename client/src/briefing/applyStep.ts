/**
 * The one seam between the briefing and the view state: a story step, a remote's metric/language/patch all arrive
 * here as one `ViewPatch`. The rest of the briefing never touches the store's shape.
 *
 * MERGE NOTE (lead): once the explorer's store (issue 6) is in, this whole file is
 *   `export const applyPatch = (patch: ViewPatch) => useTwin.getState().actions.applyPatch(patch);`
 * Until then it calls that action when the store has it, and otherwise sets what the current store can (metric,
 * language, selected building); the camera pose then waits for the real action.
 */
import type { Lang, ViewPatch } from '@models/view.ts';
import { useTwin } from '../state/store.ts';

type WithActions = { actions?: { applyPatch?: (patch: ViewPatch) => void } };

export function applyPatch(patch: ViewPatch): void {
  const state = useTwin.getState() as unknown as WithActions & Partial<{ setMetric(m: string): void; setLang(l: string): void; select(id: string | null): void }>;
  if (state.actions?.applyPatch) {
    state.actions.applyPatch(patch);
    return;
  }
  if (patch.metric) state.setMetric?.(patch.metric);
  if (patch.lang) state.setLang?.(patch.lang);
  if (patch.selection !== undefined) state.select?.(patch.selection?.kind === 'building' ? patch.selection.id : null);
}

type LangShape = { lang?: Lang; view?: { lang?: Lang } };
const langOf = (s: unknown): Lang => (s as LangShape).view?.lang ?? (s as LangShape).lang ?? 'zh';

/** The screen's language now (the only other thing the briefing reads from the view state). */
export const currentLang = (): Lang => langOf(useTwin.getState());
/** The screen's language, as a React hook (for the remote's own text before it joins). */
export const useLang = (): Lang => useTwin(langOf);
