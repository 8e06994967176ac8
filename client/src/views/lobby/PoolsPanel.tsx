/** The nine suppliers' pools: capacity, allocated and in use (live), the total, each pool's recent strip and its tenants. */
import { useMemo } from 'react';
import type { PoolState } from '@models/api.ts';
import type { District, Supplier } from '@models/district.ts';
import type { Fact } from '@models/story.ts';
import type { Lang } from '../../state/store.ts';
import { Bi } from '../../ui/Bi.tsx';
import { FIGURE_KIND, kindOfSource, type FigureKind } from './lobbyTags.ts';
import { historySinceMs, poolSeries, STRIP_POINTS, stripKind, usePoolHistoryVersion, WINDOW_MS } from './poolHistory.ts';

/** ①…⑨: a pool's mark, shown on its row and on the floor chips of the tenants that draw on it. */
export const poolMark = (index: number): string => String.fromCodePoint(0x2460 + index);
const pf = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
/** "China Telecom (Lingang …)" → "China Telecom": the row is narrow; the full name is the title, the tag says how sure. */
const shortName = (name: string): string => name.replace(/\s*[（(][^（()）]*[)）]\s*$/, '');

export function Tag({ kind, lang }: { kind: FigureKind; lang: Lang }) {
  return (
    <span className={`lobby-tag lobby-tag--${kind}`} data-kind={kind}>
      {FIGURE_KIND[kind][lang]}
    </span>
  );
}

/**
 * A pool's last 24 h from the server's history, followed live. Labelled by its points' source: the tag under the strips'
 * column (total row) says simulated or live feed for them; a strip whose points differ from the head carries its own tag.
 */
function Strip({ supplierId, capacity, lang, headKind }: { supplierId: string; capacity: number; lang: Lang; headKind: FigureKind | null }) {
  const s = poolSeries(supplierId);
  const W = STRIP_POINTS;
  const H = 40;
  let used = '';
  let alloc = '';
  const end = s && s.t.length ? s.t[s.t.length - 1]! : 0;
  if (s && s.t.length > 1) {
    const step = Math.max(1, Math.floor(s.t.length / W));
    for (let i = 0; i < s.t.length; i += step) {
      const x = W - ((end - s.t[i]!) / WINDOW_MS) * W;
      used += `${x.toFixed(1)},${(H - (s.used[i]! / capacity) * H).toFixed(1)} `;
      alloc += `${x.toFixed(1)},${(H - (s.allocated[i]! / capacity) * H).toFixed(1)} `;
    }
  }
  const kind = stripKind(s);
  return (
    <span className="lobby-strip__wrap" data-strip={supplierId} data-points={s?.t.length ?? 0} data-strip-kind={kind ?? ''} data-last-used={s && s.t.length ? s.used[s.used.length - 1] : ''}>
      <svg className="lobby-strip" viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" aria-hidden="true">
        <rect x="0" y="0" width={W} height={H} className="lobby-strip__bg" />
        {alloc && <polyline points={alloc} className="lobby-strip__alloc" />}
        {used && <polyline points={used} className="lobby-strip__used" />}
      </svg>
      {kind && kind !== headKind && (
        <span className="lobby-strip__tag">
          <Tag kind={kind} lang={lang} />
        </span>
      )}
    </span>
  );
}

interface Row {
  supplier: Supplier;
  pool: PoolState | undefined;
  tenants: { name: District['companies'][number]['name']; pflops: number; named: boolean }[];
}

export function PoolsPanel({ district, pools, lang }: { district: District; pools: PoolState[]; lang: Lang }) {
  const tenantsBySupplier = useMemo(() => {
    const m = new Map<string, Row['tenants']>();
    for (const c of district.companies) {
      if (!c.compute) continue;
      const list = m.get(c.compute.supplierId) ?? [];
      list.push({ name: c.name, pflops: c.compute.pflops, named: c.confidence !== 'synthetic' });
      m.set(c.compute.supplierId, list);
    }
    // named companies first: a visitor recognises MiniMax, not "Sample Co. 0383"
    for (const list of m.values()) list.sort((a, b) => Number(b.named) - Number(a.named) || b.pflops - a.pflops);
    return m;
  }, [district]);
  const bySupplier = new Map(pools.map((p) => [p.supplierId, p]));
  const rows: Row[] = district.suppliers.map((s) => ({ supplier: s, pool: bySupplier.get(s.id), tenants: tenantsBySupplier.get(s.id) ?? [] }));
  const total = { capacity: 0, allocated: 0, used: 0 };
  for (const s of district.suppliers) {
    const p = bySupplier.get(s.id);
    total.capacity += p?.capacityPflops ?? s.capacityPflops;
    total.allocated += p?.allocatedPflops ?? 0;
    total.used += p?.usedPflops ?? 0;
  }
  const liveKind: FigureKind = pools.some((p) => p.source === 'ingest') ? (pools.every((p) => p.source === 'ingest') ? 'live' : 'simulated') : 'simulated';
  usePoolHistoryVersion();
  const sinceMs = historySinceMs();
  const stripKinds = district.suppliers.map((s) => stripKind(poolSeries(s.id)));
  const headKind: FigureKind | null = stripKinds.includes('simulated') ? 'simulated' : stripKinds.includes('live') ? 'live' : null;
  const since = sinceMs === null ? null : new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false }).format(sinceMs);
  const capacityKind = (s: Supplier): FigureKind => (s.confidence === 'sourced' ? 'sourced' : 'synthetic');

  return (
    <section className="lobby-panel lobby-pools" data-testid="lobby-pools">
      <h2 className="lobby-h2">
        <Bi text={{ zh: '九家供应商算力池', en: "Nine suppliers' compute pools" }} lang={lang} />
      </h2>
      <div className="lobby-pools__head" aria-hidden="true">
        <span>{lang === 'zh' ? 'PFLOPS 在用 / 已分配 / 容量' : 'PFLOPS in use / allocated / capacity'}</span>
        <span data-testid="lobby-strips-head">{lang === 'zh' ? `24 小时${since ? ` · 自 ${since} 起` : ''}` : `24 h${since ? ` · from ${since}` : ''}`}</span>
      </div>
      <ol className="lobby-pools__rows">
        {rows.map(({ supplier, pool, tenants }, index) => (
          <li key={supplier.id} className="lobby-pool" data-supplier={supplier.id}>
            <div className="lobby-pool__name">
              <span className="lobby-pool__title" title={supplier.name[lang]}>
                <span className="lobby-mark">{poolMark(index)}</span> {shortName(supplier.name[lang])}
              </span>
              <span className="lobby-pool__sub">
                <Tag kind={kindOfSource(pool?.source)} lang={lang} />
                <Tag kind={capacityKind(supplier)} lang={lang} />
                <span className="lobby-pool__tenants">
                  {lang === 'zh' ? `${tenants.length} 家租户` : `${tenants.length} tenants`}
                  {tenants.length > 0 && ` · ${tenants.slice(0, 2).map((t) => t.name[lang]).join(lang === 'zh' ? '、' : ', ')}`}
                </span>
              </span>
            </div>
            <div className="lobby-pool__figures">
              <span className="lobby-pool__numbers">
                <b data-field="used">{pool ? pf(pool.usedPflops) : '–'}</b>
                {' / '}
                <span data-field="allocated">{pool ? pf(pool.allocatedPflops) : '–'}</span>
                {' / '}
                <span data-field="capacity">{pf(pool?.capacityPflops ?? supplier.capacityPflops)}</span>
              </span>
            </div>
            <div className="lobby-pool__strip">
              <Strip supplierId={supplier.id} capacity={pool?.capacityPflops ?? supplier.capacityPflops} lang={lang} headKind={headKind} />
              <span className="lobby-bar" aria-hidden="true">
                <span className="lobby-bar__alloc" style={{ width: `${pool ? (100 * pool.allocatedPflops) / pool.capacityPflops : 0}%` }} />
                <span className="lobby-bar__used" style={{ width: `${pool ? (100 * pool.usedPflops) / pool.capacityPflops : 0}%` }} />
              </span>
            </div>
          </li>
        ))}
        <li className="lobby-pool lobby-pool--total" data-testid="lobby-pools-total">
          <div className="lobby-pool__name">
            <span className="lobby-pool__title">{lang === 'zh' ? '合计' : 'Total'}</span>
            <span className="lobby-pool__sub">
              <Tag kind={liveKind} lang={lang} />
            </span>
          </div>
          <div className="lobby-pool__figures">
            <span className="lobby-pool__numbers">
              <b data-field="used">{pf(total.used)}</b>
              {' / '}
              <span data-field="allocated">{pf(total.allocated)}</span>
              {' / '}
              <span data-field="capacity">{pf(total.capacity)}</span>
            </span>
          </div>
          {/* the strips' label, under their column: simulated or live feed, as their points were */}
          <div className="lobby-pool__strip" data-testid="lobby-strips-kind" data-strip-kind={headKind ?? ''}>
            {headKind && <Tag kind={headKind} lang={lang} />}
          </div>
        </li>
      </ol>
    </section>
  );
}

/** The telecom link ("一跳入算") as a sourced fact with its citation. */
export function LinkFact({ fact, lang }: { fact: Fact; lang: Lang }) {
  return (
    <div className="lobby-link" data-testid="lobby-link" data-fact={fact.id} title={fact.source}>
      <span className="lobby-link__value">{fact.text[lang]}</span>
      <span className="lobby-link__label">{fact.label[lang]}</span>
      <span className="lobby-link__cite">
        <Tag kind={fact.confidence} lang={lang} /> {lang === 'zh' ? '来源' : 'source'}: {fact.cite[lang]}
      </span>
    </div>
  );
}
