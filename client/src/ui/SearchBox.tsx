/**
 * Search box: buildings, companies and clusters in Chinese, English or pinyin, results as you type. An ARIA 1.2
 * combobox (input with a listbox popup): arrows move through the options, Enter chooses, Esc closes (a second Esc
 * clears), `/` anywhere outside a text field focuses it. Choosing emits `onSelect`; the box itself keeps no selection.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { District } from '@models/district.ts';
import type { Lang, Selection } from '@models/view.ts';
import { Searcher, buildSearchIndexInSlices, hitToSelection, loadPinyin, type SearchHit } from '../tools/searchIndex.ts';
import { Bi } from './Bi.tsx';
import { TT, both } from './toolStrings.ts';
import './tools.css';

export interface SearchBoxProps {
  lang: Lang;
  district: District;
  onSelect: (selection: Selection) => void;
  /** Results shown at most (default 12). */
  limit?: number;
}

/** Whether a key event comes from somewhere the user types (so `/` must not be taken from them). */
function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset', 'color', 'file', 'image'].includes(type);
}

export function SearchBox({ lang, district, onSelect, limit = 12 }: SearchBoxProps) {
  // The index is built in slices (a 50,000-building district would otherwise freeze the page for a while), first
  // without pinyin, then again with it once pinyin-pro's dictionary has loaded. Until the first is ready the box
  // answers nothing; a query typed meanwhile is answered as soon as it is.
  const [searcher, setSearcher] = useState<Searcher | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    const pinyin = loadPinyin().catch((err: unknown) => {
      console.warn('[search] pinyin unavailable:', err);
      return null;
    });
    (async () => {
      setSearcher(null);
      setSearcher(new Searcher(await buildSearchIndexInSlices(district, null, { signal: abort.signal })));
      const toPinyin = await pinyin;
      if (!toPinyin || abort.signal.aborted) return;
      setSearcher(new Searcher(await buildSearchIndexInSlices(district, toPinyin, { signal: abort.signal })));
    })().catch((err: unknown) => {
      if (!abort.signal.aborted) console.warn('[search] index build failed:', err);
    });
    return () => abort.abort();
  }, [district]);
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();
  const optionId = (i: number) => `${listId}-opt-${i}`;

  // a new district (or pinyin arrived): the old results point at the old index
  useEffect(() => {
    setHits(query && searcher ? searcher.search(query, limit) : []);
    setActive(-1);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [searcher]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || isTypingTarget(e.target)) return;
      e.preventDefault();
      input.current?.focus();
      input.current?.select();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const change = (text: string) => {
    setQuery(text);
    const next = searcher ? searcher.search(text, limit) : [];
    setHits(next);
    setActive(next.length ? 0 : -1);
    setOpen(text.trim() !== '');
  };

  const choose = (hit: SearchHit | undefined) => {
    if (!hit) return;
    onSelect(hitToSelection(hit));
    setOpen(false);
    setQuery(lang === 'zh' ? hit.label.zh : hit.label.en);
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!open) {
        setOpen(query.trim() !== '');
        return;
      }
      if (hits.length === 0) return;
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((a) => (a + step + hits.length) % hits.length);
    } else if (e.key === 'Enter') {
      if (open && hits.length) {
        e.preventDefault();
        choose(hits[Math.max(0, active)]);
      }
    } else if (e.key === 'Escape') {
      // Esc here belongs to the search, not to the page (which clears the selection on Esc)
      e.stopPropagation();
      if (open) setOpen(false);
      else if (query) change('');
      else input.current?.blur();
    } else if (e.key === 'Home' && open && hits.length) {
      e.preventDefault();
      setActive(0);
    } else if (e.key === 'End' && open && hits.length) {
      e.preventDefault();
      setActive(hits.length - 1);
    }
  };

  // keep the active option in view
  useEffect(() => {
    if (!open || active < 0) return;
    document.getElementById(optionId(active))?.scrollIntoView({ block: 'nearest' });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [active, open]);

  const expanded = open && query.trim() !== '';
  const label = both(TT.search, lang);
  const other: Lang = lang === 'zh' ? 'en' : 'zh';

  return (
    <div className="search tool panel" data-testid="search">
      <label className="sr-only" htmlFor={`${listId}-input`}>
        {label}
      </label>
      <input
        id={`${listId}-input`}
        ref={input}
        className="search__input"
        type="search"
        role="combobox"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={expanded && active >= 0 ? optionId(active) : undefined}
        aria-describedby={`${listId}-hint`}
        aria-keyshortcuts="/"
        autoComplete="off"
        spellCheck={false}
        placeholder={TT.searchPlaceholder[lang]}
        value={query}
        data-testid="search-input"
        onChange={(e) => change(e.target.value)}
        onKeyDown={onKeyDown}
        onFocus={() => query.trim() && setOpen(true)}
        onBlur={() => setOpen(false)}
      />
      <span id={`${listId}-hint`} className="sr-only">
        {both(TT.searchHint, lang)}
      </span>
      <ul id={listId} role="listbox" aria-label={label} className="search__list" hidden={!expanded} data-testid="search-results">
        {hits.map((hit, i) => (
          <li
            key={`${hit.kind}:${hit.id}`}
            id={optionId(i)}
            role="option"
            aria-selected={i === active}
            className="search__option"
            data-kind={hit.kind}
            data-id={hit.id}
            // keep the focus in the input (a blur would close the list before the click lands)
            onMouseDown={(e) => e.preventDefault()}
            onMouseEnter={() => setActive(i)}
            onClick={() => choose(hit)}
          >
            <span>
              <span lang={lang === 'zh' ? 'zh-CN' : 'en'}>{hit.label[lang]}</span>{' '}
              <span className="tool__dim" lang={other === 'zh' ? 'zh-CN' : 'en'}>
                {hit.label[other] !== hit.label[lang] ? hit.label[other] : ''}
              </span>
              {hit.kind !== 'cluster' && hit.context[lang] && <span className="tool__dim"> · {hit.context[lang]}</span>}
            </span>
            <span className="search__kind">{TT.kind[hit.kind][lang]}</span>
          </li>
        ))}
      </ul>
      {expanded && hits.length === 0 && searcher && (
        <div className="search__list" data-testid="search-empty">
          <Bi text={TT.noResults} lang={lang} inline />
        </div>
      )}
      <span className="sr-only" role="status" aria-live="polite">
        {expanded && searcher ? (hits.length ? `${hits.length} ${lang === 'zh' ? '条结果' : 'results'}` : TT.noResults[lang]) : ''}
      </span>
    </div>
  );
}
