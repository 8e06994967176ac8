/**
 * The one seam between the briefing and the view state: a story step, a remote's metric/language/patch all arrive
 * here as one `ViewPatch` and go through the same action as every other driver of the view (explorer, tour, URL).
 */
import type { Lang, ViewPatch } from '@models/view.ts';
import { useTwin } from '../state/store.ts';

export function applyPatch(patch: ViewPatch): void {
  const r = useTwin.getState().actions.applyPatch(patch);
  // A story is validated at start-up and a remote's patch by the server, so a refusal here is a bug worth seeing.
  if (!r.ok) console.warn('[briefing] view patch refused:', r.error);
}

/** The screen's language now (the only other thing the briefing reads from the view state). */
export const currentLang = (): Lang => useTwin.getState().view.lang;
/** The screen's language, as a React hook (for the remote's own text before it joins). */
export const useLang = (): Lang => useTwin((s) => s.view.lang);
