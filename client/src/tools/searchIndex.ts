/**
 * Search over buildings, companies and clusters, in Chinese, English, pinyin (full and initials) and ids.
 *
 * Built once per district: every entry's searchable fields are normalised (NFKC, lower case) and joined into one
 * string with NUL separators, so matching is one `indexOf` per query token per entry and a token can never match
 * across two fields. A `Searcher` remembers the entries that matched its last query: a query that extends the last
 * one (the usual case while typing) can only match a subset, so only those are scanned again.
 *
 * Pinyin comes from pinyin-pro (≈ 320 kB of dictionary), loaded on demand (`loadPinyin`): the box searches names
 * and ids at once and gains pinyin when the dictionary has arrived, so the dictionary never delays the first picture.
 *
 * Ranking (higher first): per token, the best field match — exact > prefix > start of a word > anywhere — weighted by
 * field (names before pinyin before ids); plus a small bonus for clusters, named buildings and sourced (non-synthetic)
 * records; ties go to the shorter name, then to data order.
 */
import type { Bilingual, District } from '@models/district.ts';
import type { Selection } from '@models/view.ts';

export type SearchKind = Selection['kind'];

export interface SearchEntry {
  kind: SearchKind;
  id: string;
  /** Index in district.buildings / companies / clusters. */
  index: number;
  label: Bilingual;
  /** Where it is: the cluster (for buildings and clusters' theme), the building and cluster (for companies). */
  context: Bilingual;
}

export interface SearchHit extends SearchEntry {
  score: number;
}

/** Field order inside an entry's haystack; weights per field below. */
const FIELD_ZH = 0;
const FIELD_EN = 1;
const FIELD_PINYIN = 2;
const FIELD_INITIALS = 3;
const FIELD_ID = 4;
const FIELD_COUNT = 5;

// Score of a match in a field: [exact, prefix, word start, anywhere]. Names first, then pinyin, then ids.
const FIELD_SCORES: readonly (readonly [number, number, number, number])[] = [
  [1000, 600, 400, 200], // zh
  [1000, 600, 400, 200], // en
  [500, 350, 0, 120], // pinyin, full syllables joined ("mosukongjian")
  [450, 300, 0, 60], // pinyin initials ("mskj")
  [700, 250, 150, 80], // id
];

const SEP = '\u0000';
const CJK = /[\u3400-\u9fff]/;

export interface SearchIndex {
  entries: SearchEntry[];
  /** Per entry: its fields joined by SEP, normalised. */
  haystacks: string[];
  /** Per entry: start offset of each field in its haystack (FIELD_COUNT + 1 numbers; the last is the length + 1). */
  fieldStarts: Int32Array;
  /** Per entry: bonus added once to its score. */
  bonus: Int16Array;
}

export function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Chinese text → its pinyin syllables, without tones (`pattern: 'first'`: initials only). */
export type PinyinFn = (text: string, initialsOnly: boolean) => string[];

/** Load pinyin-pro on demand (a separate chunk in the client build). */
export async function loadPinyin(): Promise<PinyinFn> {
  const { pinyin } = await import('pinyin-pro');
  return (text, initialsOnly) =>
    pinyin(text, { toneType: 'none', type: 'array', nonZh: 'consecutive', v: true, ...(initialsOnly ? { pattern: 'first' as const } : {}) });
}

const CJK_RUNS = /[\u3400-\u9fff]+|[^\u3400-\u9fff]+/g;

/**
 * Full pinyin and initials of a name. pinyin-pro costs ≈ 0.1 ms a call, so each run of Chinese characters is converted
 * once per index build (`cache`): generated names ("示例企业 0001", "示例企业 0002", …) then cost one call in all.
 * A run is converted whole, so polyphonic characters keep their context within it.
 */
function pinyinKeys(zh: string, toPinyin: PinyinFn | null, cache: Map<string, [string, string]>): [string, string] {
  if (!toPinyin || !CJK.test(zh)) return ['', ''];
  let full = '';
  let initials = '';
  for (const run of zh.match(CJK_RUNS) ?? []) {
    if (!CJK.test(run)) {
      full += run;
      initials += run;
      continue;
    }
    let keys = cache.get(run);
    if (!keys) {
      keys = [toPinyin(run, false).join(''), toPinyin(run, true).join('')];
      cache.set(run, keys);
    }
    full += keys[0];
    initials += keys[1];
  }
  return [normalise(full).replace(/ /g, ''), normalise(initials).replace(/ /g, '')];
}

export function buildingLabel(b: District['buildings'][number]): Bilingual {
  return b.name ?? { zh: `建筑 ${b.id}`, en: `Building ${b.id}` };
}

/**
 * The steps of building an index: one `yield` per entry added, so the work can be spread over several tasks
 * (`buildSearchIndexInSlices`) or drained at once (`buildSearchIndex`). The index is complete when the generator returns.
 */
function* indexSteps(district: District, toPinyin: PinyinFn | null): Generator<void, SearchIndex> {
  const entries: SearchEntry[] = [];
  const haystacks: string[] = [];
  const starts: number[] = [];
  const bonus: number[] = [];
  const clusterById = new Map(district.clusters.map((c) => [c.id, c]));
  const buildingById = new Map(district.buildings.map((b) => [b.id, b]));
  const pinyinCache = new Map<string, [string, string]>();

  const add = (entry: SearchEntry, zh: string, en: string, extraBonus: number) => {
    const [py, initials] = pinyinKeys(zh, toPinyin, pinyinCache);
    const fields = [normalise(zh), normalise(en), py, initials, entry.id];
    let offset = 0;
    for (const f of fields) {
      starts.push(offset);
      offset += f.length + 1;
    }
    starts.push(offset);
    haystacks.push(fields.join(SEP));
    entries.push(entry);
    bonus.push(extraBonus);
  };

  for (const [index, c] of district.clusters.entries()) {
    add({ kind: 'cluster', id: c.id, index, label: c.name, context: c.summary }, c.name.zh, c.name.en, 40);
    yield;
  }
  for (const [index, b] of district.buildings.entries()) {
    const c = clusterById.get(b.clusterId);
    const context = c ? c.name : { zh: '', en: '' };
    // unnamed buildings are found by id only: their generated label would match every "建筑" / "building"
    if (b.name) add({ kind: 'building', id: b.id, index, label: b.name, context }, b.name.zh, b.name.en, b.landmark ? 30 : 20);
    else add({ kind: 'building', id: b.id, index, label: buildingLabel(b), context }, '', '', 0);
    yield;
  }
  for (const [index, co] of district.companies.entries()) {
    const b = buildingById.get(co.buildingId);
    const c = b ? clusterById.get(b.clusterId) : undefined;
    const where = b ? buildingLabel(b) : { zh: co.buildingId, en: co.buildingId };
    const context = c ? { zh: `${where.zh} · ${c.name.zh}`, en: `${where.en} · ${c.name.en}` } : where;
    add({ kind: 'company', id: co.id, index, label: co.name, context }, co.name.zh, co.name.en, co.confidence === 'synthetic' ? 0 : 20);
    yield;
  }

  return { entries, haystacks, fieldStarts: Int32Array.from(starts), bonus: Int16Array.from(bonus) };
}

/**
 * Build the index of a district at once (≈ linear in the number of names). Without `toPinyin`, Chinese names are
 * found by their characters only.
 */
export function buildSearchIndex(district: District, toPinyin: PinyinFn | null = null): SearchIndex {
  const steps = indexSteps(district, toPinyin);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * Build the index in slices of about `sliceMs`, yielding to the page between them (a 50,000-building district takes
 * several hundred ms in all: as one task it would freeze the page). Rejects with an AbortError when `signal` aborts.
 */
export async function buildSearchIndexInSlices(
  district: District,
  toPinyin: PinyinFn | null,
  { sliceMs = 8, signal, pause = () => new Promise<void>((resolve) => setTimeout(resolve, 0)) }: { sliceMs?: number; signal?: AbortSignal; pause?: () => Promise<void> } = {},
): Promise<SearchIndex> {
  const steps = indexSteps(district, toPinyin);
  for (;;) {
    const t0 = performance.now();
    for (let k = 0; ; k++) {
      const r = steps.next();
      if (r.done) return r.value;
      // reading the clock costs too: look every 64 entries
      if ((k & 63) === 63 && performance.now() - t0 >= sliceMs) break;
    }
    await pause();
    if (signal?.aborted) throw new DOMException('search index build aborted', 'AbortError');
  }
}

function isWordStart(hay: string, pos: number): boolean {
  if (pos === 0) return true;
  const prev = hay.charCodeAt(pos - 1);
  // space, punctuation, digits/letters after CJK, separators: anything that is not a latin letter or digit
  return !((prev >= 97 && prev <= 122) || (prev >= 48 && prev <= 57));
}

/** Best score of `token` in entry `e` (0 = no match). */
function tokenScore(index: SearchIndex, e: number, token: string): number {
  const hay = index.haystacks[e]!;
  const base = e * (FIELD_COUNT + 1);
  let best = 0;
  for (let f = 0; f < FIELD_COUNT; f++) {
    const start = index.fieldStarts[base + f]!;
    const end = index.fieldStarts[base + f + 1]! - 1;
    if (end - start < token.length) continue;
    const field = hay.slice(start, end);
    const pos = field.indexOf(token);
    if (pos < 0) continue;
    const s = FIELD_SCORES[f]!;
    let score: number;
    if (pos === 0) score = field.length === token.length ? s[0] : s[1];
    else {
      // a later occurrence may start a word even when the first does not
      let p = pos;
      score = s[3];
      while (p >= 0) {
        if (s[2] > 0 && isWordStart(field, p)) {
          score = s[2];
          break;
        }
        p = field.indexOf(token, p + 1);
      }
    }
    if (score > best) best = score;
  }
  return best;
}

export function tokenise(query: string): string[] {
  const q = normalise(query);
  return q === '' ? [] : q.split(' ');
}

/**
 * A search session over one index. `search(query)` returns at most `limit` hits, best first. Consecutive queries
 * that extend the previous one rescan only the previous query's matches.
 */
export class Searcher {
  private lastQuery = '';
  private lastMatches: Int32Array | null = null;
  private scratch: Int32Array;
  /** Entries scanned by the last search (for tests and the bench). */
  scanned = 0;

  constructor(readonly index: SearchIndex) {
    this.scratch = new Int32Array(index.entries.length);
  }

  search(query: string, limit = 12): SearchHit[] {
    const q = normalise(query);
    const tokens = q === '' ? [] : q.split(' ');
    if (tokens.length === 0) {
      this.lastQuery = '';
      this.lastMatches = null;
      this.scanned = 0;
      return [];
    }
    const { haystacks } = this.index;
    const narrowing = this.lastMatches !== null && this.lastQuery !== '' && q.startsWith(this.lastQuery);
    const candidates = narrowing ? this.lastMatches! : null;
    const total = candidates ? candidates.length : haystacks.length;
    const matches = this.scratch;
    let matched = 0;

    // top `limit` kept sorted in small arrays: no sort over every match
    const topE: number[] = [];
    const topS: number[] = [];
    for (let k = 0; k < total; k++) {
      const e = candidates ? candidates[k]! : k;
      const hay = haystacks[e]!;
      let all = true;
      for (const t of tokens) {
        if (hay.indexOf(t) < 0) {
          all = false;
          break;
        }
      }
      if (!all) continue;
      matches[matched++] = e;
      let score = this.index.bonus[e]!;
      for (const t of tokens) {
        const s = tokenScore(this.index, e, t);
        if (s === 0) {
          score = -1;
          break;
        }
        score += s;
      }
      if (score < 0) continue;
      if (tokens.length > 1 && tokenScore(this.index, e, q) > 0) score += 200; // the words together, in order
      if (topE.length === limit && !this.better(score, e, topS[limit - 1]!, topE[limit - 1]!)) continue;
      let at = topE.length;
      while (at > 0 && this.better(score, e, topS[at - 1]!, topE[at - 1]!)) at--;
      topE.splice(at, 0, e);
      topS.splice(at, 0, score);
      if (topE.length > limit) {
        topE.pop();
        topS.pop();
      }
    }
    this.scanned = total;
    this.lastQuery = q;
    this.lastMatches = matches.slice(0, matched);
    return topE.map((e, i) => ({ ...this.index.entries[e]!, score: topS[i]! }));
  }

  private better(scoreA: number, a: number, scoreB: number, b: number): boolean {
    if (scoreA !== scoreB) return scoreA > scoreB;
    const la = this.index.entries[a]!.label.en.length;
    const lb = this.index.entries[b]!.label.en.length;
    if (la !== lb) return la < lb;
    return a < b;
  }
}

export function hitToSelection(hit: SearchEntry): Selection {
  return { kind: hit.kind, id: hit.id } as Selection;
}
