/**
 * The planner's tools in one collapsible dock at the explorer's left edge: a strip of tabs (Search · Clusters ·
 * Filters · Alerts · Capacity · Export) that is all there is while collapsed, and one tool at a time below it when
 * open. The tools are props-only components (ui/SearchBox … ExportMenu, logic in tools/); this file wires them to the
 * view state: every selection goes through `actions.selectBuilding` / `selectCluster` (selected and flown to), every
 * other change through `actions.applyPatch`. Panels stay mounted while hidden, so a half-typed search or a rule form
 * survives a tab switch. Keyboard: the tab strip is one stop (arrows move between tabs, Home/End), `/` anywhere outside
 * a text field opens the search tab and focuses the box (SearchBox does the focusing).
 */
import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { flushSync } from 'react-dom';
import type { Selection, ViewPatch } from '@models/view.ts';
import { live, liveIsStale, replayBuffer, useTwin, companyStateOf } from '../state/store.ts';
import { useAlertEvaluator } from '../state/toolRuntime.ts';
import { sceneRefs } from '../scene/sceneRefs.ts';
import { AlertPanel } from './AlertPanel.tsx';
import { CapacityFinder } from './CapacityFinder.tsx';
import { ClusterHistory } from './ClusterHistory.tsx';
import { ClusterPanel } from './ClusterPanel.tsx';
import { DK } from './dockStrings.ts';
import { ExportMenu } from './ExportMenu.tsx';
import { FilterPanel } from './FilterPanel.tsx';
import { SaveStep } from './SaveStep.tsx';
import { SearchBox } from './SearchBox.tsx';
import { both } from './toolStrings.ts';
import './tools.css';
import './toolDock.css';

export const DOCK_TABS = ['search', 'clusters', 'filters', 'alerts', 'capacity', 'export'] as const;
export type DockTab = (typeof DOCK_TABS)[number];

/** Whether a key event comes from somewhere the user types (`/` must not be taken from them). */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT') return true;
  if (target.tagName !== 'INPUT') return false;
  return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset', 'color', 'file', 'image'].includes((target as HTMLInputElement).type);
}

export function ToolDock() {
  const district = useTwin((s) => s.district);
  const lang = useTwin((s) => s.view.lang);
  const view = useTwin((s) => s.view);
  const replaying = useTwin((s) => s.view.mode.kind === 'replay');
  const actions = useTwin((s) => s.actions);
  const evaluator = useAlertEvaluator();
  const [open, setOpen] = useState(false);
  const [tab, setTab] = useState<DockTab>('search');
  const id = useId();
  const tabRefs = useRef<Partial<Record<DockTab, HTMLButtonElement | null>>>({});

  // `/` opens the search tab before SearchBox's own listener (on document) focuses its box
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      flushSync(() => {
        setOpen(true);
        setTab('search');
      });
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);

  const onSelect = useCallback(
    (sel: Selection) => {
      if (sel.kind === 'building') actions.selectBuilding(sel.id);
      else if (sel.kind === 'cluster') actions.selectCluster(sel.id);
      else {
        // a company: its building, where the inspect panel lists it among the tenants
        const d = useTwin.getState().district;
        const building = companyStateOf(sel.id)?.buildingId ?? d?.companies.find((c) => c.id === sel.id)?.buildingId ?? null;
        if (building) actions.selectBuilding(building);
      }
    },
    [actions],
  );
  const onPatch = useCallback((p: ViewPatch) => void actions.applyPatch(p), [actions]);
  // the values on screen: the replayed minute in replay, else the live stream (judged stale on its own clock)
  const values = replaying ? replayBuffer : live;
  const isStale = useCallback(() => (useTwin.getState().view.mode.kind === 'replay' ? false : liveIsStale(performance.now(), useTwin.getState().staleAfterS)), []);
  const getCanvas = useCallback(() => sceneRefs.gl?.domElement ?? null, []);
  const renderNow = useCallback(() => sceneRefs.renderNow?.(), []);

  const choose = (t: DockTab) => {
    if (open && t === tab) setOpen(false);
    else {
      setTab(t);
      setOpen(true);
    }
  };

  const onTabKey = (e: ReactKeyboardEvent<HTMLButtonElement>) => {
    const i = DOCK_TABS.indexOf(tab);
    let next = -1;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') next = (i + 1) % DOCK_TABS.length;
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') next = (i - 1 + DOCK_TABS.length) % DOCK_TABS.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = DOCK_TABS.length - 1;
    if (next < 0) return;
    e.preventDefault();
    const t = DOCK_TABS[next]!;
    setTab(t);
    setOpen(true);
    tabRefs.current[t]?.focus();
  };

  // the label layer re-measures its obstacles on resize: tell it the dock opened or closed
  useEffect(() => {
    window.dispatchEvent(new Event('resize'));
  }, [open]);

  // a cluster selected anywhere (its label on the map, search, a link): its figures are in the clusters tab
  const selectedCluster = view.selection?.kind === 'cluster' ? view.selection.id : null;
  useEffect(() => {
    if (!selectedCluster) return;
    setTab('clusters');
    setOpen(true);
  }, [selectedCluster]);

  if (!district) return null;

  return (
    <aside
      className={`dock panel${open ? ' dock--open' : ''}`}
      // open, the dock is a panel labels keep clear of; collapsed, its tab strip is small enough to let them be
      data-label-obstacle={open ? '' : undefined}
      data-testid="tool-dock" data-open={open ? '1' : '0'} aria-label={both(DK.tools, lang)}>
      <div className="dock__tabs" role="tablist" aria-label={both(DK.tools, lang)}>
        {DOCK_TABS.map((t) => (
          <button
            key={t}
            ref={(el) => {
              tabRefs.current[t] = el;
            }}
            type="button"
            role="tab"
            id={`${id}-tab-${t}`}
            className="dock__tab"
            aria-selected={open && t === tab}
            aria-controls={`${id}-panel-${t}`}
            aria-expanded={open && t === tab}
            tabIndex={t === tab ? 0 : -1}
            onClick={() => choose(t)}
            onKeyDown={onTabKey}
            data-testid={`dock-tab-${t}`}
          >
            <span className="dock__tab-main" lang={lang === 'zh' ? 'zh-CN' : 'en'}>
              {DK.tabs[t][lang]}
            </span>
            <span className="dock__tab-other" lang={lang === 'zh' ? 'en' : 'zh-CN'}>
              {DK.tabs[t][lang === 'zh' ? 'en' : 'zh']}
            </span>
          </button>
        ))}
      </div>
      <div className="dock__body" hidden={!open}>
        <div role="tabpanel" id={`${id}-panel-search`} aria-labelledby={`${id}-tab-search`} hidden={tab !== 'search'} className="dock__panel">
          <SearchBox lang={lang} district={district} onSelect={onSelect} />
        </div>
        <div role="tabpanel" id={`${id}-panel-clusters`} aria-labelledby={`${id}-tab-clusters`} hidden={tab !== 'clusters'} className="dock__panel">
          <ClusterPanel lang={lang} district={district} selection={view.selection} values={values} isStale={isStale} onSelect={onSelect} />
          {selectedCluster && tab === 'clusters' && open && <ClusterHistory cluster={selectedCluster} lang={lang} />}
        </div>
        <div role="tabpanel" id={`${id}-panel-filters`} aria-labelledby={`${id}-tab-filters`} hidden={tab !== 'filters'} className="dock__panel">
          <FilterPanel lang={lang} district={district} filters={view.filters} metric={view.metric} values={values} onPatch={onPatch} />
        </div>
        <div role="tabpanel" id={`${id}-panel-alerts`} aria-labelledby={`${id}-tab-alerts`} hidden={tab !== 'alerts'} className="dock__panel">
          {evaluator && <AlertPanel lang={lang} district={district} rules={view.alerts} evaluator={evaluator} onPatch={onPatch} onSelect={onSelect} />}
        </div>
        <div role="tabpanel" id={`${id}-panel-capacity`} aria-labelledby={`${id}-tab-capacity`} hidden={tab !== 'capacity'} className="dock__panel">
          <CapacityFinder lang={lang} district={district} onSelect={onSelect} />
        </div>
        <div role="tabpanel" id={`${id}-panel-export`} aria-labelledby={`${id}-tab-export`} hidden={tab !== 'export'} className="dock__panel">
          <ExportMenu lang={lang} district={district} view={view} values={values} isStale={isStale} getCanvas={getCanvas} renderNow={renderNow} />
          <SaveStep lang={lang} view={view} />
        </div>
      </div>
    </aside>
  );
}
