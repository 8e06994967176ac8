/**
 * The tool panels render, in both languages, for the shipped district: server-side rendering (no effects run), so
 * this checks what each panel shows on its first paint and that every form control carries a label. Interaction is
 * left to the browser tests once the panels are wired into the explorer.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { District } from '@models/district.ts';
import { Q_MAX } from '@models/frame.codec.ts';
import { DEFAULT_VIEW, type Lang } from '@models/view.ts';
import { AlertEvaluator } from '../../client/src/tools/alerts.ts';
import { AlertPanel } from '../../client/src/ui/AlertPanel.tsx';
import { CapacityFinder } from '../../client/src/ui/CapacityFinder.tsx';
import { ClusterPanel } from '../../client/src/ui/ClusterPanel.tsx';
import { ExportMenu } from '../../client/src/ui/ExportMenu.tsx';
import { FilterPanel } from '../../client/src/ui/FilterPanel.tsx';
import { SearchBox } from '../../client/src/ui/SearchBox.tsx';
import { loadDistrict } from '../../server/src/district/district.loader.ts';

const DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));

/** Every <input> and <select> is labelled: by aria-label, by a <label for=…>, or by sitting inside a <label>. */
function unlabelledControls(html: string): string[] {
  const out: string[] = [];
  const forIds = new Set([...html.matchAll(/<label[^>]*\bfor="([^"]+)"/g)].map((m) => m[1]));
  const re = /<(input|select)\b[^>]*>/g;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    const tag = m[0];
    if (/aria-label(ledby)?="/.test(tag)) continue;
    const id = /\bid="([^"]+)"/.exec(tag)?.[1];
    if (id && forIds.has(id)) continue;
    const before = html.slice(0, m.index);
    if (before.lastIndexOf('<label') > before.lastIndexOf('</label>')) continue;
    out.push(tag);
  }
  return out;
}

describe('tool panels, first paint', () => {
  let d: District;
  let values: { occupancyQ: Uint8Array; computeQ: Uint8Array; sources: Uint8Array; headcount: Float64Array; hasFrame: boolean; tsMs: number };
  beforeAll(async () => {
    d = await loadDistrict(DATA_DIR);
    const n = d.buildings.length;
    values = {
      occupancyQ: new Uint8Array(n).fill(Q_MAX / 2),
      computeQ: new Uint8Array(n).fill(Q_MAX / 5),
      sources: new Uint8Array(Math.ceil(n / 4)),
      headcount: new Float64Array(n),
      hasFrame: true,
      tsMs: Date.parse('2026-11-28T02:00:00Z'),
    };
  });

  const panels = (lang: Lang) => {
    const noop = () => {};
    const view = { ...DEFAULT_VIEW, lang, selection: { kind: 'cluster' as const, id: 'digital-intelligence-center' } };
    return {
      search: createElement(SearchBox, { lang, district: d, onSelect: noop }),
      filters: createElement(FilterPanel, { lang, district: d, filters: view.filters, metric: view.metric, values, onPatch: noop }),
      alerts: createElement(AlertPanel, {
        lang,
        district: d,
        rules: [{ metric: 'occupancy', op: 'gt', threshold: 90, forMinutes: 0, cluster: 'digital-intelligence-center' }],
        evaluator: new AlertEvaluator(d, { maxGapMs: 10_000 }),
        onPatch: noop,
        onSelect: noop,
      }),
      clusters: createElement(ClusterPanel, { lang, district: d, selection: view.selection, values, onSelect: noop }),
      capacity: createElement(CapacityFinder, { lang, district: d, onSelect: noop }),
      export: createElement(ExportMenu, { lang, district: d, view, values, getCanvas: () => null }),
    };
  };

  it('label every form control, in both languages', () => {
    // the check itself tells a bare control from labelled ones
    expect(unlabelledControls('<div><input type="text"/><label>a <input type="checkbox"/></label><label for="x">b</label><select id="x"></select></div>')).toEqual(['<input type="text"/>']);
    for (const lang of ['zh', 'en'] as const) {
      for (const [name, el] of Object.entries(panels(lang))) {
        const html = renderToStaticMarkup(el);
        expect(unlabelledControls(html), `${name} (${lang})`).toEqual([]);
      }
    }
  });

  it('show the chosen language first and the other beside it', () => {
    const zh = renderToStaticMarkup(panels('zh').filters);
    expect(zh).toContain('筛选');
    expect(zh).toContain('有已备案大模型 · Has registered models');
    const en = renderToStaticMarkup(panels('en').filters);
    expect(en).toContain('Has registered models · 有已备案大模型');
    expect(renderToStaticMarkup(panels('en').alerts)).toContain('Occupancy above 90 % · West Bund Digital-Intelligence Center');
    expect(renderToStaticMarkup(panels('zh').alerts)).toContain('西岸数智中心：占用率高于 90%');
  });

  it('the search box is an ARIA combobox that controls a listbox and is reached by "/"', () => {
    const html = renderToStaticMarkup(panels('zh').search);
    expect(html).toMatch(/role="combobox"/);
    expect(html).toMatch(/aria-keyshortcuts="\/"/);
    const controls = /aria-controls="([^"]+)"/.exec(html)![1];
    expect(html).toContain(`id="${controls}" role="listbox"`);
  });

  it('the cluster panel shows the selected cluster\'s figures and a row per cluster plus the district', () => {
    const html = renderToStaticMarkup(panels('en').clusters);
    expect(html).toContain('data-cluster="digital-intelligence-center"');
    const rows = html.match(/<tr/g)!.length;
    expect(rows).toBe(1 + d.clusters.length + 1);
    // 50 % occupancy everywhere: the capacity-weighted mean is 50 %
    expect(html).toContain('data-testid="cluster-occupancy">50 %');
  });

  it('the export menu offers the selection, the whole district, PNG and the link', () => {
    const html = renderToStaticMarkup(panels('en').export);
    for (const id of ['export-csv-selection', 'export-csv-all', 'export-png', 'copy-link']) expect(html).toContain(`data-testid="${id}"`);
    expect(html).not.toContain('data-testid="export-csv-filtered"');
  });
});
