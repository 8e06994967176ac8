/**
 * The DOM overlay for scene labels: bilingual names of the six clusters (always) and of the landmarks (when close).
 * React renders the elements once per district and language; LabelProjector moves them in the render loop.
 */
import { useLayoutEffect, useMemo, useRef, type CSSProperties } from 'react';
import { invalidate } from '@react-three/fiber';
import { project } from '@models/geo.ts';
import type { Bilingual, District } from '@models/district.ts';
import { useTwin } from '../../state/store.ts';
import { buildingsGeometryOf } from '../districtCache.ts';
import { labelRegistry, type LabelEntry, type LabelKind } from './labelRegistry.ts';
import { Bi } from '../../ui/Bi.tsx';

interface LabelSpec {
  id: string;
  kind: LabelKind;
  name: Bilingual;
  colour: string | null;
  x: number;
  y: number;
  z: number;
  priority: number;
}

/**
 * The name a complex goes by: "西岸智塔（北塔）" and "西岸智塔（南塔）" are one label "西岸智塔", the five tanks one
 * "油罐艺术中心". Parts are recognised by a trailing number or compass qualifier.
 */
function complexName(name: Bilingual): Bilingual {
  const zh = name.zh
    .replace(/\s*\d+\s*号(楼|罐|地块|馆)?(（[^）]*）)?$/u, '')
    .replace(/（[东南西北][塔楼馆]）$/u, '')
    .trim();
  const en = name.en
    .replace(/,?\s*(tower|tank|block|building|hall)\s*\d+.*$/iu, '')
    .replace(/\s*\((north|south|east|west)\)$/iu, '')
    .trim();
  return { zh: zh || name.zh, en: en || name.en };
}

/** Long explanatory parentheses go in a details panel, not on a map label ("（GATE M）" stays, "(CMG Yangtze Delta HQ)" goes). */
function labelText(name: Bilingual): Bilingual {
  const zh = name.zh.replace(/（([^）]{5,})）/gu, '').trim();
  const en = name.en.replace(/\s*\(([^)]{11,})\)/gu, '').trim();
  return { zh: zh || name.zh, en: en || name.en };
}

function labelSpecs(district: District): LabelSpec[] {
  const specs: LabelSpec[] = [];
  const xz: [number, number] = [0, 0];
  district.clusters.forEach((c, i) => {
    project(district.geography.origin, c.labelAt, xz);
    specs.push({ id: `cluster-${c.id}`, kind: 'cluster', name: c.name, colour: c.colour, x: xz[0], y: 0, z: xz[1], priority: 10_000 - i });
  });

  // one label per landmark complex, on its tallest part; taller and larger complexes win a crowded spot
  const roofs = buildingsGeometryOf(district).roofCentres;
  const complexes = new Map<string, { name: Bilingual; index: number; heightM: number; gfaM2: number; id: string }>();
  district.buildings.forEach((b, i) => {
    if (!b.landmark || !b.name) return;
    const name = complexName(b.name);
    const key = `${name.zh}|${name.en}`;
    const c = complexes.get(key);
    if (!c) complexes.set(key, { name, index: i, heightM: b.heightM, gfaM2: b.gfaM2, id: b.id });
    else {
      c.gfaM2 += b.gfaM2;
      if (b.heightM > c.heightM) {
        c.heightM = b.heightM;
        c.index = i;
      }
    }
  });
  for (const c of complexes.values()) {
    specs.push({
      id: `landmark-${c.id}`,
      kind: 'landmark',
      name: labelText(c.name),
      colour: null,
      x: roofs[c.index * 3]!,
      y: roofs[c.index * 3 + 1]!,
      z: roofs[c.index * 3 + 2]!,
      priority: c.heightM + Math.sqrt(c.gfaM2) / 10,
    });
  }
  return specs;
}

/** Panels that labels must not hide under. */
const OBSTACLE_SELECTOR = '[data-label-obstacle]';

export function LabelLayer() {
  const district = useTwin((s) => s.district);
  const lang = useTwin((s) => s.view.lang);
  const specs = useMemo(() => (district ? labelSpecs(district) : []), [district]);
  const container = useRef<HTMLDivElement>(null);

  useLayoutEffect(() => {
    const root = container.current;
    if (!root) return;
    const entries: LabelEntry[] = [];
    for (const s of specs) {
      const el = root.querySelector<HTMLElement>(`[data-label-id="${s.id}"]`);
      if (!el) continue;
      entries.push({ id: s.id, kind: s.kind, x: s.x, y: s.y, z: s.z, priority: s.priority, el, w: 0, h: 0, shown: false, sx: NaN, sy: NaN, lift: 0, dx: 0, px: 0, py: 0, distance: 0, inView: false });
    }
    const measure = () => {
      for (const e of entries) {
        const box = e.el.firstElementChild as HTMLElement | null;
        e.w = box?.offsetWidth ?? 0;
        e.h = box?.offsetHeight ?? 0;
      }
      const origin = root.getBoundingClientRect();
      const panels = document.querySelectorAll<HTMLElement>(OBSTACLE_SELECTOR);
      const obstacles = new Float32Array(panels.length * 4);
      panels.forEach((p, i) => {
        const r = p.getBoundingClientRect();
        obstacles.set([r.left - origin.left, r.top - origin.top, r.right - origin.left, r.bottom - origin.top], i * 4);
      });
      labelRegistry.obstacles = obstacles;
      labelRegistry.version++;
      invalidate();
    };
    labelRegistry.entries = entries;
    measure();
    // sizes change when the CJK font arrives, with the viewport (font sizes follow vw) and when panels change
    void document.fonts?.ready.then(measure);
    const observer = new ResizeObserver(measure);
    document.querySelectorAll(OBSTACLE_SELECTOR).forEach((p) => observer.observe(p));
    window.addEventListener('resize', measure);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', measure);
      if (labelRegistry.entries === entries) {
        labelRegistry.entries = [];
        labelRegistry.version++;
      }
    };
  }, [specs, lang]);

  return (
    <div className="labels" ref={container} aria-hidden="true">
      {specs.map((s) => (
        <div
          key={s.id}
          className={`label label--${s.kind}`}
          data-label-id={s.id}
          data-shown="0"
          style={s.colour ? ({ '--accent': s.colour } as CSSProperties) : undefined}
        >
          {/* a click or tap on a cluster's label selects the cluster (scene/useClickSelect.ts) */}
          <div className="label__box" data-testid={s.kind === 'cluster' ? `label-${s.id}` : undefined}>
            <Bi text={s.name} lang={lang} />
          </div>
          <div className="label__stem" />
          <div className="label__dot" />
        </div>
      ))}
    </div>
  );
}
