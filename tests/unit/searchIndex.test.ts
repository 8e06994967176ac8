import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Building, District } from '@models/district.ts';
import { Searcher, buildSearchIndex, buildSearchIndexInSlices, hitToSelection, loadPinyin, normalise, type SearchIndex } from '../../client/src/tools/searchIndex.ts';
import { loadDistrict } from '../../server/src/district/district.loader.ts';

const DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));

describe('search index over the shipped district', () => {
  let d: District;
  let index: SearchIndex;
  beforeAll(async () => {
    d = await loadDistrict(DATA_DIR);
    index = buildSearchIndex(d, await loadPinyin());
  });
  const first = (q: string) => new Searcher(index).search(q)[0];

  it('holds every cluster, every named and unnamed building and every company', () => {
    expect(index.entries.filter((e) => e.kind === 'cluster')).toHaveLength(d.clusters.length);
    expect(index.entries.filter((e) => e.kind === 'building')).toHaveLength(d.buildings.length);
    expect(index.entries.filter((e) => e.kind === 'company')).toHaveLength(d.companies.length);
  });

  it('finds 模速空间 by its full pinyin prefix "mosu" and by its initials "mskj"', () => {
    for (const q of ['mosu', 'mosukongjian', 'mskj', 'MoSu']) {
      const hit = first(q);
      expect(hit?.label.zh, q).toBe('模速空间');
      expect(hit?.kind).toBe('building');
    }
  });

  it('without the pinyin dictionary, still finds Chinese names by their characters but not by pinyin', () => {
    const plain = new Searcher(buildSearchIndex(d));
    expect(plain.search('模速')[0]?.label.zh).toBe('模速空间');
    // ("mosu" would still find it: its id is mosu-space)
    expect(plain.search('mskj').map((h) => h.label.zh)).not.toContain('模速空间');
  });

  it('finds Chinese names by a part of them', () => {
    const hits = new Searcher(index).search('数智');
    expect(hits[0]?.kind).toBe('cluster');
    expect(hits[0]?.label.zh).toBe('西岸数智中心');
  });

  it('finds English names by a partial word and ranks a word start above a match inside a word', () => {
    const hits = new Searcher(index).search('tow');
    expect(hits.length).toBeGreaterThan(0);
    // every hit contains the fragment somewhere; the first ones start a word with it ("AI Tower", "tower 2")
    expect(hits[0]!.label.en.toLowerCase()).toMatch(/(^|[^a-z0-9])tow/);
    const tower = new Searcher(index).search('ai tow');
    expect(tower.map((h) => h.label.en)).toContain('West Bund AI Tower (north)');
    expect(tower[0]!.label.en).toMatch(/AI Tower/);
  });

  it('ranks an exact name above names that merely start with it', () => {
    const hits = new Searcher(index).search('SenseTime');
    expect(hits[0]!.label.en).toBe('SenseTime');
    expect(hits[0]!.kind).toBe('company');
  });

  it('finds an unnamed building by its id and turns a hit into a selection', () => {
    const unnamed = d.buildings.find((b: Building) => !b.name)!;
    const hit = first(unnamed.id);
    expect(hit?.id).toBe(unnamed.id);
    expect(hitToSelection(hit!)).toEqual({ kind: 'building', id: unnamed.id });
  });

  it('caps the results and returns nothing for an empty query or a query that matches nothing', () => {
    const s = new Searcher(index);
    expect(s.search('a', 5)).toHaveLength(5);
    expect(s.search('   ')).toEqual([]);
    expect(s.search('zzqxj-nothing')).toEqual([]);
  });

  it('rescans only the previous matches while the query grows, with the same results as a fresh search', () => {
    const s = new Searcher(index);
    s.search('w');
    const afterW = s.scanned;
    expect(afterW).toBe(index.entries.length);
    const narrowed = s.search('west b');
    expect(s.scanned).toBeLessThan(afterW);
    expect(narrowed).toEqual(new Searcher(index).search('west b'));
    // a query that does not extend the last one scans everything again
    s.search('media');
    expect(s.scanned).toBe(index.entries.length);
  });

  it('builds the same index in slices, yielding to the page between them, and stops when aborted', async () => {
    let pauses = 0;
    const pause = () => {
      pauses++;
      return Promise.resolve();
    };
    const sliced = await buildSearchIndexInSlices(d, await loadPinyin(), { sliceMs: 0, pause });
    expect(sliced).toEqual(index);
    // sliceMs 0: a pause after every 64 entries
    expect(pauses).toBe(Math.floor((index.entries.length - 1) / 64));
    const abort = new AbortController();
    const aborted = buildSearchIndexInSlices(d, null, { sliceMs: 0, signal: abort.signal, pause: async () => abort.abort() });
    await expect(aborted).rejects.toThrow(/aborted/);
  });

  it('normalises full-width letters and case', () => {
    expect(normalise('ＡＩ  Tower ')).toBe('ai tower');
  });
});
