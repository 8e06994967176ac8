/** The five services platforms of 模速空间 with their sourced figures (facts of data/facts.json), each with its citation. */
import type { Bilingual, Confidence } from '@models/district.ts';
import type { MosuPlatform, MosuResponse } from '@models/mosu.ts';
import type { Lang } from '../../state/store.ts';
import { Bi } from '../../ui/Bi.tsx';
import { Tag } from './PoolsPanel.tsx';

export function PlatformsPanel({ mosu, lang }: { mosu: MosuResponse; lang: Lang }) {
  const facts = new Map(mosu.facts.map((f) => [f.id, f]));
  /** One citation line for each distinct (kind, citation) of the platforms' figures, not one per figure or platform. */
  const citations = (platforms: MosuPlatform[]) => {
    const out = new Map<string, { kind: Confidence; cite: Bilingual }>();
    for (const id of platforms.flatMap((p) => p.factIds)) {
      const f = facts.get(id);
      if (f && id !== mosu.linkFactId) out.set(`${f.confidence}:${f.cite.en}`, { kind: f.confidence, cite: f.cite });
    }
    return [...out.values()];
  };
  return (
    <section className="lobby-panel lobby-platforms" data-testid="lobby-platforms">
      <h2 className="lobby-h2">
        <Bi text={{ zh: '五大服务平台', en: 'Five services platforms' }} lang={lang} />
      </h2>
      <ul className="lobby-platforms__list">
        {mosu.platforms.map((p) => (
          <li key={p.id} className="lobby-platform" data-platform={p.id} title={p.source}>
            <span className="lobby-platform__name">{p.name[lang]}</span>
            <span className="lobby-platform__what">{p.what[lang]}</span>
            {p.factIds
              .filter((id) => id !== mosu.linkFactId)
              .map((id) => facts.get(id))
              .filter((f) => f !== undefined)
              .map((f) => (
                <span key={f.id} className="lobby-fact" data-fact={f.id} title={f.source}>
                  <b className="lobby-fact__value">{f.text[lang]}</b>
                  <span className="lobby-fact__label">{f.label[lang]}</span>
                </span>
              ))}
          </li>
        ))}
      </ul>
      {citations(mosu.platforms).map((c) => (
        <span key={`${c.kind}:${c.cite.en}`} className="lobby-fact__cite">
          <Tag kind={c.kind} lang={lang} /> {lang === 'zh' ? '以上数字来源' : 'figures: source'}: {c.cite[lang]}
        </span>
      ))}
    </section>
  );
}
