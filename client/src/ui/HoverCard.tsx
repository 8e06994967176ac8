/**
 * The building under the pointer: name, cluster, the current value of the chosen metric with its unit, and where the
 * value came from. Picking runs at most once per animation frame while the pointer moves (not while dragging), and
 * the card refreshes its value once a second; both by DOM mutation, so hovering and ticks cause no React commits.
 */
import { useEffect, useRef } from 'react';
import { METRICS } from '@models/metrics.ts';
import { Q_MAX, Q_NA, isIngest } from '@models/frame.codec.ts';
import { buildingIndexOf, frameSource, sourceIsStale, useTwin } from '../state/store.ts';
import { pickAt } from '../scene/picking.ts';
import { formatNumber } from './format.ts';
import { T } from './strings.ts';

const OFFSET_PX = 14;

export function HoverCard() {
  const card = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = card.current;
    const stage = el?.parentElement;
    if (!el || !stage) return;
    const primary = el.querySelector<HTMLElement>('.hover__name')!;
    const secondary = el.querySelector<HTMLElement>('.hover__name-other')!;
    const cluster = el.querySelector<HTMLElement>('.hover__cluster')!;
    const value = el.querySelector<HTMLElement>('.hover__value')!;
    const source = el.querySelector<HTMLElement>('.hover__source')!;
    let x = 0;
    let y = 0;
    let pending = 0;
    let buildingId: string | null = null;

    const fill = () => {
      const { district, view, staleAfterS } = useTwin.getState();
      const { lang, metric } = view;
      const live = frameSource();
      const i = buildingId ? buildingIndexOf(buildingId) : -1;
      const b = district?.buildings[i];
      if (!district || !b) return;
      const other = lang === 'zh' ? 'en' : 'zh';
      const c = district.clusters.find((k) => k.id === b.clusterId);
      primary.textContent = b.name ? b.name[lang] : lang === 'zh' ? `建筑 ${b.id}` : `Building ${b.id}`;
      secondary.textContent = b.name ? b.name[other] : '';
      cluster.textContent = c ? `${c.name[lang]} · ${Math.round(b.heightM)} m · ${b.floors} ${lang === 'zh' ? '层' : 'floors'}` : '';
      const def = METRICS[metric];
      // both languages, the chosen one first: the card is read by mixed rooms too
      const both = (t: { zh: string; en: string }) => `${t[lang]} · ${t[other]}`;
      let text: string;
      let from: string;
      if (def.live) {
        const q = (metric === 'computeLoad' ? live.computeQ : live.occupancyQ)[i] ?? 255;
        if (q === Q_NA) {
          text = both(def.notApplicable);
          from = '';
        } else if (q > Q_MAX || sourceIsStale(live, performance.now(), staleAfterS)) {
          text = both(T.stale);
          from = '';
        } else {
          text = `${formatNumber((q / Q_MAX) * def.displayScale, lang)} ${def.unit[lang]}`;
          from = both(isIngest(live.sources, i, metric === 'computeLoad' ? 1 : 0) ? T.sourceIngest : T.sourceSimulated);
        }
      } else {
        text = `${formatNumber((live.headcount[i]! / b.gfaM2) * 10_000, lang)} ${def.unit[lang]}`;
        from = `${formatNumber(live.headcount[i]!, lang)} ${T.staff[lang]} · ${both(T.sourceCompanies)}`;
      }
      value.textContent = `${def.label[lang]} ${def.label[other]}  ${text}`;
      source.textContent = from;
    };

    const pick = () => {
      pending = 0;
      const index = pickAt(x, y);
      const id = index < 0 ? null : (useTwin.getState().district?.buildings[index]?.id ?? null);
      if (id !== buildingId) {
        buildingId = id;
        if (id) fill();
      }
      el.dataset.shown = id ? '1' : '0';
      if (!id) return;
      const rect = stage.getBoundingClientRect();
      // keep the card inside the stage: flip to the left / above the pointer near the edges
      const w = el.offsetWidth;
      const h = el.offsetHeight;
      let left = x - rect.left + OFFSET_PX;
      let top = y - rect.top + OFFSET_PX;
      if (left + w > rect.width - 8) left = x - rect.left - OFFSET_PX - w;
      if (top + h > rect.height - 8) top = y - rect.top - OFFSET_PX - h;
      el.style.transform = `translate3d(${Math.round(left)}px,${Math.round(top)}px,0)`;
    };

    const hide = () => {
      buildingId = null;
      el.dataset.shown = '0';
    };
    const onMove = (e: PointerEvent) => {
      if (e.buttons !== 0 || e.pointerType === 'touch') return hide();
      x = e.clientX;
      y = e.clientY;
      if (!pending) pending = requestAnimationFrame(pick);
    };
    stage.addEventListener('pointermove', onMove);
    stage.addEventListener('pointerleave', hide);
    stage.addEventListener('pointerdown', hide);
    stage.addEventListener('wheel', hide, { passive: true });
    const timer = window.setInterval(() => buildingId && fill(), 1000);
    const unsubscribe = useTwin.subscribe((s, prev) => {
      if (buildingId && s.view !== prev.view) fill();
    });
    return () => {
      stage.removeEventListener('pointermove', onMove);
      stage.removeEventListener('pointerleave', hide);
      stage.removeEventListener('pointerdown', hide);
      stage.removeEventListener('wheel', hide);
      window.clearInterval(timer);
      if (pending) cancelAnimationFrame(pending);
      unsubscribe();
    };
  }, []);

  return (
    <div className="hover panel" ref={card} data-shown="0" data-testid="hover-card" aria-hidden="true">
      <div className="hover__name" />
      <div className="hover__name-other" />
      <div className="hover__cluster" />
      <div className="hover__value" />
      <div className="hover__source" />
    </div>
  );
}
