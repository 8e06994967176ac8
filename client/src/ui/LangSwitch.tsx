import { useTwin, type Lang } from '../state/store.ts';
import { T } from './strings.ts';

const OPTIONS: { lang: Lang; label: string; title: string }[] = [
  { lang: 'zh', label: '中', title: '中文' },
  { lang: 'en', label: 'EN', title: 'English' },
];

export function LangSwitch() {
  const lang = useTwin((s) => s.view.lang);
  const { setLang } = useTwin((s) => s.actions);
  return (
    <div className="lang-switch panel panel--pill" role="radiogroup" aria-label={`${T.language.zh} / ${T.language.en}`}>
      {OPTIONS.map((o) => (
        <button
          key={o.lang}
          type="button"
          role="radio"
          aria-checked={lang === o.lang}
          title={o.title}
          className={`lang-switch__option${lang === o.lang ? ' is-active' : ''}`}
          data-testid={`lang-${o.lang}`}
          onClick={() => setLang(o.lang)}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}
