import { useTwin } from '../state/store.ts';
import { T } from './strings.ts';

export function TitleBlock() {
  const lang = useTwin((s) => s.view.lang);
  const primary = lang === 'zh' ? T.title.zh : T.title.en;
  const secondary = lang === 'zh' ? T.title.en : T.title.zh;
  return (
    <header className="title panel panel--bare">
      <div className="title__mark" aria-hidden="true" />
      <div>
        <h1 className="title__name">
          <span className="title__primary">{primary}</span>
          <span className="title__secondary">{secondary}</span>
        </h1>
        <p className="title__sub">{T.subtitle[lang]}</p>
      </div>
    </header>
  );
}
