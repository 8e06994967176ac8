/**
 * The URL is the view state, both ways (models/view.ts viewToQuery / viewFromQuery):
 *  - at start the query is read over the stored language (an unreadable parameter is ignored and logged, the rest
 *    applies), validated through `actions.applyPatch` (ViewPatch);
 *  - a selection change pushes a history entry (the back button steps through selections); everything else (camera,
 *    metric, time, filters, …) replaces the current entry, at most every REPLACE_EVERY_MS;
 *  - popstate (back / forward) restores the view of that entry.
 * Parameters this module does not own (another view's) are kept.
 */
import { DEFAULT_VIEW, isHistoryStep, viewFromQuery, viewToQuery, type ViewState } from '@models/view.ts';
import { useTwin } from './store.ts';

/** Every key viewToQuery may write (and `metric`, the older long form). */
const VIEW_KEYS = ['lang', 'm', 'metric', 'sel', 'cam', 't', 'play', 'cmp', 'fc', 'fu', 'fi', 'fm', 'fr', 'al'];
const REPLACE_EVERY_MS = 400;

/** The page URL for a view, keeping parameters that are not the view's. */
export function urlForView(view: ViewState, href: string = window.location.href): string {
  const url = new URL(href);
  for (const k of VIEW_KEYS) url.searchParams.delete(k);
  for (const [k, v] of viewToQuery(view)) url.searchParams.set(k, v);
  return `${url.pathname}${url.search}${url.hash}`;
}

let started = false;
/** True while the URL itself is being applied (nothing is written back then). */
let restoring = false;

export function startUrlSync(): void {
  if (started || typeof window === 'undefined') return;
  started = true;
  const store = useTwin;

  const readUrl = () => {
    // what the link leaves out is at its default (no selection, home view, live, no filters…), the language as remembered
    const { view, problems } = viewFromQuery(window.location.search, { ...DEFAULT_VIEW, lang: store.getState().view.lang });
    for (const p of problems) console.warn(`[twin] link parameter ignored: ${p}`);
    return view;
  };

  // Start from the link; write back its canonical form (so `lang` is always there).
  restoring = true;
  const r = store.getState().actions.applyPatch(readUrl());
  if (!r.ok) console.warn(`[twin] link not applied: ${r.error}`);
  restoring = false;
  window.history.replaceState(window.history.state, '', urlForView(store.getState().view));

  let timer = 0;
  let pendingReplace = false;
  const flushReplace = () => {
    timer = 0;
    if (!pendingReplace) return;
    pendingReplace = false;
    const next = urlForView(store.getState().view);
    if (next !== `${window.location.pathname}${window.location.search}${window.location.hash}`) window.history.replaceState(window.history.state, '', next);
  };

  store.subscribe((s, prev) => {
    if (s.view === prev.view || restoring) return;
    if (isHistoryStep(prev.view, s.view)) {
      // write the entry we leave in its final state first, then step
      if (timer) window.clearTimeout(timer);
      timer = 0;
      pendingReplace = false;
      window.history.replaceState(window.history.state, '', urlForView(prev.view));
      window.history.pushState({ twin: true }, '', urlForView(s.view));
      return;
    }
    pendingReplace = true;
    if (!timer) timer = window.setTimeout(flushReplace, REPLACE_EVERY_MS);
  });

  window.addEventListener('popstate', () => {
    restoring = true;
    try {
      const view = readUrl();
      store.getState().actions.applyPatch(view);
    } finally {
      restoring = false;
    }
  });
}
