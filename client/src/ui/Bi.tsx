/** Bilingual text: the chosen language first, the other smaller underneath (or beside, `inline`). */
import type { Bilingual } from '@models/district.ts';
import type { Lang } from '../state/store.ts';

export function Bi({ text, lang, inline = false, className }: { text: Bilingual; lang: Lang; inline?: boolean; className?: string }) {
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  return (
    <span className={`bi${inline ? ' bi--inline' : ''}${className ? ` ${className}` : ''}`}>
      <span className="bi__primary" lang={lang === 'zh' ? 'zh-CN' : 'en'}>
        {text[lang]}
      </span>
      <span className="bi__secondary" lang={other === 'zh' ? 'zh-CN' : 'en'}>
        {text[other]}
      </span>
    </span>
  );
}
