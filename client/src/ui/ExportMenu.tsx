/**
 * Export and share: CSV of the selection, of its cluster, of the filtered buildings or of all buildings (values with
 * their time, status and source, and the buildings' metadata); a PNG of the view; a link to the view on the clipboard.
 * The CSV is built at the moment of the click from the values passed in, so it holds what is on screen then.
 */
import { useId, useRef, useState } from 'react';
import type { District } from '@models/district.ts';
import { viewToQuery, type Lang, type ViewState } from '@models/view.ts';
import { filterMask, filtersActive } from '../tools/filterMask.ts';
import {
  buildingsCsv,
  capturePng,
  copyText,
  csvBlob,
  downloadBlob,
  exportFileName,
  indicesForCluster,
  indicesForSelection,
  indicesFromMask,
  type ExportValues,
} from '../tools/exportCsv.ts';
import { Bi } from './Bi.tsx';
import { TT, both } from './toolStrings.ts';
import './tools.css';

export interface ExportMenuProps {
  lang: Lang;
  district: District;
  view: ViewState;
  /** Live (or replayed) values: the store's `live` buffer fits. */
  values: ExportValues;
  /** Whether the values are too old to show as current; stale values are exported without their numbers. */
  isStale?: () => boolean;
  /** The scene's canvas (e.g. `document.querySelector('.twin-canvas canvas')`); null: the PNG button says it could not save. */
  getCanvas: () => HTMLCanvasElement | null;
  /** Draw a frame right before the capture when the canvas does not preserve its drawing buffer (see capturePng). */
  renderNow?: () => void;
  /** The link to share; defaults to this page with the view's query (models/view.ts viewToQuery). */
  linkFor?: (view: ViewState) => string;
}

export function defaultLink(view: ViewState): string {
  return `${window.location.origin}${window.location.pathname}?${viewToQuery(view).toString()}`;
}

export function ExportMenu({ lang, district, view, values, isStale, getCanvas, renderNow, linkFor = defaultLink }: ExportMenuProps) {
  const id = useId();
  const [message, setMessage] = useState('');
  const [manualLink, setManualLink] = useState<string | null>(null);
  const linkBox = useRef<HTMLInputElement>(null);

  const selection = view.selection;
  const selectedIndices = indicesForSelection(district, selection);
  // the cluster around the selection: the selected cluster, or the cluster of the selected building / company
  const clusterId =
    selection?.kind === 'cluster' ? null : selectedIndices.length === 1 ? district.buildings[selectedIndices[0]!]!.clusterId : null;
  const cluster = clusterId ? district.clusters.find((c) => c.id === clusterId) : undefined;
  const filtered = filtersActive(view.filters);

  const saveCsv = (what: string, indices: number[]) => {
    const csv = buildingsCsv(district, indices, values.hasFrame ? values : null, isStale?.() ?? false);
    downloadBlob(csvBlob(csv), exportFileName(what, values.hasFrame ? values.tsMs : Date.now(), 'csv'));
    setMessage(`${both(TT.saved, lang)}: ${indices.length} ${TT.rows[lang]}`);
  };

  const exportFiltered = () => {
    const mask = new Uint8Array(district.buildings.length);
    filterMask(district, view.filters, view.metric, values, mask);
    saveCsv('filtered', indicesFromMask(mask, district.buildings.length));
  };

  const savePng = async () => {
    const canvas = getCanvas();
    if (!canvas) {
      setMessage(both(TT.pngFailed, lang));
      return;
    }
    try {
      const blob = await capturePng(canvas, renderNow);
      downloadBlob(blob, exportFileName('view', Date.now(), 'png'));
      setMessage(both(TT.saved, lang));
    } catch (err) {
      setMessage(`${both(TT.pngFailed, lang)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const copyLink = async () => {
    const link = linkFor(view);
    if (await copyText(link)) {
      setManualLink(null);
      setMessage(both(TT.copied, lang));
    } else {
      setManualLink(link);
      setMessage(both(TT.copyFailed, lang));
      requestAnimationFrame(() => linkBox.current?.select());
    }
  };

  return (
    <section className="tool panel export" aria-labelledby={`${id}-title`} data-testid="export-menu">
      <h2 className="tool__title" id={`${id}-title`}>
        <Bi text={TT.export} lang={lang} inline />
      </h2>
      <div className="tool__row">
        {selection && selectedIndices.length > 0 && (
          <button type="button" className="tool__button" onClick={() => saveCsv(`${selection.kind}-${selection.id}`, selectedIndices)} data-testid="export-csv-selection">
            {both(TT.csvSelection, lang)}
          </button>
        )}
        {cluster && (
          <button type="button" className="tool__button" onClick={() => saveCsv(`cluster-${cluster.id}`, indicesForCluster(district, cluster.id))} data-testid="export-csv-cluster">
            {both(TT.csvCluster, lang)}: {cluster.name[lang]}
          </button>
        )}
        {filtered && (
          <button type="button" className="tool__button" onClick={exportFiltered} data-testid="export-csv-filtered">
            {both(TT.csvFiltered, lang)}
          </button>
        )}
        <button type="button" className="tool__button" onClick={() => saveCsv('all', district.buildings.map((_, i) => i))} data-testid="export-csv-all">
          {both(TT.csvAll, lang)}
        </button>
        <button type="button" className="tool__button" onClick={savePng} data-testid="export-png">
          {both(TT.png, lang)}
        </button>
        <button type="button" className="tool__button" onClick={copyLink} data-testid="copy-link">
          {both(TT.copyLink, lang)}
        </button>
      </div>
      <p className="tool__status" role="status" aria-live="polite" data-testid="export-status">
        {message}
      </p>
      {manualLink && (
        <>
          <label className="sr-only" htmlFor={`${id}-link`}>
            {both(TT.link, lang)}
          </label>
          <input id={`${id}-link`} ref={linkBox} className="tool__link-box" type="text" readOnly value={manualLink} onFocus={(e) => e.target.select()} data-testid="copy-link-fallback" />
        </>
      )}
    </section>
  );
}
