/**
 * The one seam between the briefing and the view state: a story step, a remote's metric/language/patch all arrive
 * here as one `ViewPatch`. The rest of the briefing never touches the store's shape.
 *
 * MERGE NOTE (lead): with the explorer's store (issue 6) merged, `applyPatch` below takes its first branch
 * (`useTwin.getState().actions.applyPatch(patch)`) and `currentLang` reads `view.lang`; the fallbacks for the old
 * store (metric, language, selected building only; no camera) can then be deleted.
 */
import type { Lang, ViewPatch } from '@models/view.ts';
import { useTwin } from '../state/store.ts';

type WithActions = { actions?: { applyPatch?: (patch: ViewPatch) => { ok: boolean; error?: string } | void } };

export function applyPatch(patch: ViewPatch): void {
  const state = useTwin.getState() as unknown as WithActions & Partial<{ setMetric(m: string): void; setLang(l: string): void; select(id: string | null): void }>;
  if (state.actions?.applyPatch) {
    const r = state.actions.applyPatch(patch);
    // A story is validated at start-up and a remote's patch by the server, so a refusal here is a bug worth seeing.
    if (r && !r.ok) console.warn('[briefing] view patch refused:', r.error);
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
