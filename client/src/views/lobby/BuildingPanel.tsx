/**
 * 模速空间 itself: its floors, top floor first, with their tenants coloured by role in the model-industry chain, and
 * the upstream → downstream links between tenants drawn as arcs over them ("上下楼就是上下游"). The arcs are measured
 * from the laid-out chips (HTML text stays real text at a readable size) and redrawn when the layout changes.
 */
import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Bilingual, District } from '@models/district.ts';
import type { ChainRole, MosuFile } from '@models/mosu.ts';
import type { Lang } from '../../state/store.ts';
import { Bi } from '../../ui/Bi.tsx';
import { poolMark, Tag } from './PoolsPanel.tsx';

interface Arc {
  key: string;
  d: string;
}

export function BuildingPanel({ district, mosu, lang }: { district: District; mosu: MosuFile; lang: Lang }) {
  const building = district.buildings.find((b) => b.id === mosu.buildingId);
  const floors = useMemo(() => {
    const tenantOf = new Map(mosu.tenants.map((t) => [t.companyId, t]));
    const poolIndex = new Map(district.suppliers.map((s, i) => [s.id, i]));
    const byFloor = new Map<number, { id: string; label: Bilingual; role: ChainRole; pool: number | undefined }[]>();
    for (const c of district.companies) {
      const t = tenantOf.get(c.id);
      if (!t) continue;
      const floor = Math.min(...c.floors);
      const pool = c.compute ? poolIndex.get(c.compute.supplierId) : undefined;
      byFloor.set(floor, [...(byFloor.get(floor) ?? []), { id: c.id, label: t.label, role: t.role, pool }]);
    }
    const n = building?.floors ?? Math.max(0, ...byFloor.keys());
    return Array.from({ length: n }, (_, i) => n - i).map((f) => ({ floor: f, tenants: byFloor.get(f) ?? [] }));
  }, [district, mosu, building]);

  const box = useRef<HTMLDivElement>(null);
  const [arcs, setArcs] = useState<Arc[]>([]);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => {
      const origin = el.getBoundingClientRect();
      const at = new Map<string, DOMRect>();
      for (const chip of el.querySelectorAll<HTMLElement>('[data-company]')) at.set(chip.dataset.company!, chip.getBoundingClientRect());
      const out: Arc[] = [];
      for (const l of mosu.links) {
        const a = at.get(l.from);
        const b = at.get(l.to);
        if (!a || !b) continue;
        const ax = a.left + a.width / 2 - origin.left;
        const ay = a.top + a.height / 2 - origin.top;
        const bx = b.left + b.width / 2 - origin.left;
        const by = b.top + b.height / 2 - origin.top;
        // bow sideways in proportion to the distance, so links between floors read as arcs, not lines
        const lift = Math.max(20, Math.hypot(bx - ax, by - ay) * 0.35);
        out.push({ key: `${l.from}>${l.to}`, d: `M${ax.toFixed(1)},${ay.toFixed(1)} Q${((ax + bx) / 2 + lift).toFixed(1)},${((ay + by) / 2 - lift / 2).toFixed(1)} ${bx.toFixed(1)},${by.toFixed(1)}` });
      }
      setArcs(out);
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [mosu, floors, lang]);

  return (
    <section className="lobby-panel lobby-building" data-testid="lobby-building">
      <h2 className="lobby-h2">
        <Bi text={mosu.motto.text} lang={lang} />
      </h2>
      <div className="lobby-roles">
        {mosu.roles.map((r) => (
          <span key={r.id} className={`lobby-role lobby-role--${r.id}`}>
            {r.name[lang]}
          </span>
        ))}
      </div>
      <div className="lobby-floors" ref={box}>
        <svg className="lobby-arcs" aria-hidden="true">
          <defs>
            <marker id="lobby-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse">
              <path d="M0,0 L10,5 L0,10 z" className="lobby-arcs__head" />
            </marker>
          </defs>
          {arcs.map((a) => (
            <path key={a.key} d={a.d} className="lobby-arcs__arc" markerEnd="url(#lobby-arrow)" />
          ))}
        </svg>
        {floors.map(({ floor, tenants }) => (
          <div key={floor} className="lobby-floor" data-floor={floor}>
            <span className="lobby-floor__no">{floor}F</span>
            <span className="lobby-floor__tenants">
              {tenants.map((t) => (
                <span key={t.id} className={`lobby-chip lobby-role--${t.role}`} data-company={t.id}>
                  {t.label[lang]}
                  {t.pool !== undefined && <span className="lobby-mark"> {poolMark(t.pool)}</span>}
                </span>
              ))}
            </span>
          </div>
        ))}
      </div>
      <p className="lobby-note">
        <Tag kind="synthetic" lang={lang} />{' '}
        {lang === 'zh' ? '①–⑨ 所用算力池；楼层、角色与连线为示意，名称来自公开报道' : '①–⑨ pool drawn on; floors, roles, links illustrative; names from public reporting'}
      </p>
    </section>
  );
}
