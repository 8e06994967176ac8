import { useTwin } from '../state/store.ts';
import { T } from './strings.ts';

export function LoadingOverlay() {
  const lang = useTwin((s) => s.view.lang);
  const district = useTwin((s) => s.district);
  const error = useTwin((s) => s.districtError);
  if (district) return null;
  const other = lang === 'zh' ? 'en' : 'zh';
  const msg = error ? T.retrying : T.loading;
  return (
    <div className="loading" role="status" aria-live="polite">
      <div className="loading__card">
        <div className="loading__spinner" aria-hidden="true" />
        <div className="loading__title">
          {T.title.zh} <span>{T.title.en}</span>
        </div>
        <div className="loading__msg">
          {msg[lang]}…<span>{msg[other]}…</span>
        </div>
        {error && <div className="loading__detail">{error}</div>}
      </div>
    </div>
  );
}
