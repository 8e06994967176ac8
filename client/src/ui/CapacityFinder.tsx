/**
 * "Space for a team of N": asks the server (`GET /api/v1/capacity?team=N&clusters=a,b`) for buildings ranked by room
 * left after their usual peak (capacity minus the 90th percentile of occupancy over 7 days), and the free compute of
 * the nine suppliers' pools. Each building row selects the building (`onSelect`). The ranking is the server's; this
 * panel only says which rows fit the team, and where each figure came from.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { CapacityResponse, ErrorResponse } from '@models/api.ts';
import type { District } from '@models/district.ts';
import type { Lang, Selection } from '@models/view.ts';
import { buildingLabel } from '../tools/searchIndex.ts';
import { Bi } from './Bi.tsx';
import { formatNumber, formatShanghaiTime } from './format.ts';
import { TT, both } from './toolStrings.ts';
import './tools.css';

export interface CapacityFinderProps {
  lang: Lang;
  district: District;
  onSelect: (selection: Selection) => void;
  /** For tests or another origin; defaults to the page's fetch. */
  fetchImpl?: typeof fetch;
  /** Rows shown at most (default 20). */
  limit?: number;
}

export function capacityUrl(team: number, clusters: readonly string[]): string {
  const q = new URLSearchParams({ team: String(team) });
  if (clusters.length) q.set('clusters', clusters.join(','));
  return `/api/v1/capacity?${q}`;
}

function looksLikeCapacity(x: unknown): x is CapacityResponse {
  const r = x as CapacityResponse | null;
  return !!r && typeof r.team === 'number' && Array.isArray(r.buildings) && Array.isArray(r.pools) && typeof r.generatedAt === 'string';
}

type Status = { kind: 'idle' } | { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'done'; result: CapacityResponse };

export function CapacityFinder({ lang, district, onSelect, fetchImpl, limit = 20 }: CapacityFinderProps) {
  const id = useId();
  const [team, setTeam] = useState('20');
  const [clusters, setClusters] = useState<string[]>([]);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  const teamValue = Number(team);
  const valid = team.trim() !== '' && Number.isInteger(teamValue) && teamValue >= 1;
  const other: Lang = lang === 'zh' ? 'en' : 'zh';

  const find = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setStatus({ kind: 'loading' });
    try {
      const res = await (fetchImpl ?? fetch)(capacityUrl(teamValue, clusters), { headers: { accept: 'application/json' }, signal: controller.signal });
      const body: unknown = await res.json().catch(() => null);
      if (!res.ok) {
        const err = body as ErrorResponse | null;
        const detail = err?.issues?.length ? err.issues.map((i) => `${i.path ?? ''} ${i.message ?? ''}`.trim()).join('; ') : '';
        throw new Error(`${res.status} ${err?.error ?? res.statusText}${detail ? `: ${detail}` : ''}`);
      }
      if (!looksLikeCapacity(body)) throw new Error('not a capacity answer');
      setStatus({ kind: 'done', result: body });
    } catch (err) {
      if (controller.signal.aborted) return;
      setStatus({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  };

  const byId = new Map(district.buildings.map((b) => [b.id, b]));
  const clusterName = new Map(district.clusters.map((c) => [c.id, c.name]));
  const supplierName = new Map(district.suppliers.map((s) => [s.id, s.name]));
  const n = (v: number) => formatNumber(v, lang);

  return (
    <section className="tool panel capacity" aria-labelledby={`${id}-title`} data-testid="capacity-finder">
      <h2 className="tool__title" id={`${id}-title`}>
        <Bi text={TT.capacityFinder} lang={lang} inline />
      </h2>
      <form onSubmit={find}>
        <div className="tool__row">
          <label>
            <span className="tool__label">{both(TT.teamSize, lang)}</span>
            <input type="number" min={1} step={1} value={team} onChange={(e) => setTeam(e.target.value)} style={{ width: '6rem' }} data-testid="capacity-team" />
          </label>
          <button type="submit" className="tool__button" disabled={!valid || status.kind === 'loading'} data-testid="capacity-find">
            {both(status.kind === 'loading' ? TT.finding : TT.find, lang)}
          </button>
        </div>
        <fieldset style={{ marginTop: '0.4rem' }}>
          <legend>{both(TT.withinClusters, lang)}</legend>
          <div className="tool__checks">
            {district.clusters.map((c) => (
              <label key={c.id}>
                <input
                  type="checkbox"
                  checked={clusters.includes(c.id)}
                  onChange={() => setClusters((cs) => (cs.includes(c.id) ? cs.filter((x) => x !== c.id) : [...cs, c.id]))}
                />
                <span lang={lang === 'zh' ? 'zh-CN' : 'en'}>{c.name[lang]}</span>
              </label>
            ))}
          </div>
        </fieldset>
      </form>
      <p className="tool__note">
        <Bi text={TT.capacityBasis} lang={lang} />
      </p>

      <div role="status" aria-live="polite" className="tool__status">
        {status.kind === 'error' && (
          <span className="tool__error" data-testid="capacity-error">
            {both(TT.requestFailed, lang)}: {status.message}
          </span>
        )}
        {status.kind === 'done' && (
          <span>
            {status.result.buildings.filter((b) => b.freePeople >= status.result.team).length} {TT.fits[lang]} · {TT.generatedAt[lang]}{' '}
            {Number.isNaN(Date.parse(status.result.generatedAt)) ? status.result.generatedAt : formatShanghaiTime(Date.parse(status.result.generatedAt))}
          </span>
        )}
      </div>

      {status.kind === 'done' && (
        <>
          {status.result.buildings.length === 0 ? (
            <p className="tool__note">{both(TT.noRoom, lang)}</p>
          ) : (
            <ol className="tool__list" data-testid="capacity-buildings" aria-label={both(TT.capacityFinder, lang)}>
              {status.result.buildings.slice(0, limit).map((row) => {
                const b = byId.get(row.id);
                const name = b ? buildingLabel(b) : { zh: row.id, en: row.id };
                const fits = row.freePeople >= status.result.team;
                return (
                  <li key={row.id} data-fits={fits ? '1' : '0'}>
                    <button type="button" className="tool__link" onClick={() => onSelect({ kind: 'building', id: row.id })} data-building={row.id}>
                      <span>
                        {name[lang]}
                        <span className="tool__dim">
                          {' '}
                          · {b ? clusterName.get(b.clusterId)?.[lang] : ''} · {TT.source[row.source][lang]}
                        </span>
                      </span>
                      <span className="tool__num">
                        {TT.free[lang]} {n(row.freePeople)} / {n(row.capacityPeople)}
                        <span className="tool__dim">
                          {' '}
                          {TT.peak[lang]} {n(row.peakPeople)} · {(fits ? TT.fits : TT.tooSmall)[lang]}
                        </span>
                      </span>
                    </button>
                  </li>
                );
              })}
            </ol>
          )}

          <h3 className="tool__label" style={{ marginTop: '0.6rem' }} id={`${id}-pools`}>
            {both(TT.freeCompute, lang)}
          </h3>
          <table className="tool__table" data-testid="capacity-pools" aria-labelledby={`${id}-pools`}>
            <thead>
              <tr>
                <th scope="col" title={both(TT.supplier, lang)}>{TT.supplier[lang]}</th>
                <th scope="col" title={both(TT.free, lang)}>{TT.free[lang]} (PFLOPS)</th>
                <th scope="col" title={both(TT.capacity, lang)}>{TT.capacity[lang]} (PFLOPS)</th>
                <th scope="col">
                  {lang === 'zh' ? '来源' : 'Source'}
                  <span className="sr-only"> · {lang === 'zh' ? 'Source' : '来源'}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {status.result.pools.map((p) => (
                <tr key={p.supplierId}>
                  <th scope="row">
                    {supplierName.get(p.supplierId)?.[lang] ?? p.supplierId}
                    <span className="tool__dim"> {supplierName.get(p.supplierId)?.[other] ?? ''}</span>
                  </th>
                  <td>{formatNumber(p.freePflops, lang)}</td>
                  <td>{formatNumber(p.capacityPflops, lang)}</td>
                  <td>{TT.source[p.source][lang]}</td>
                </tr>
              ))}
              <tr>
                <th scope="row">{both(TT.total, lang)}</th>
                <td>{formatNumber(status.result.pools.reduce((s, p) => s + p.freePflops, 0), lang)}</td>
                <td>{formatNumber(status.result.pools.reduce((s, p) => s + p.capacityPflops, 0), lang)}</td>
                <td />
              </tr>
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
