/** A wall's language: fixed by `?lang=`, else each language in turn (an unattended wall speaks to mixed rooms). */
import { useEffect, useState } from 'react';
import type { Lang } from '@models/view.ts';
import { useTwin } from '../state/store.ts';

const LANG_TURN_MS = 30_000;

export function useWallLang(): Lang {
  const storeLang = useTwin((s) => s.view.lang);
  const fixed = new URLSearchParams(window.location.search).has('lang');
  const [lang, setLang] = useState<Lang>(storeLang);
  useEffect(() => {
    if (fixed) return setLang(storeLang);
    const id = window.setInterval(() => setLang((l) => (l === 'zh' ? 'en' : 'zh')), LANG_TURN_MS);
    return () => window.clearInterval(id);
  }, [fixed, storeLang]);
  return lang;
}
