/** Formatting for the panels: times in Asia/Shanghai, ages, numbers. Formatters are built once. */
import type { Lang } from '../state/store.ts';

// sv-SE formats as "2026-11-28 10:00:05", the unambiguous ISO-like shape, in either language
const shanghaiTime = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

export function formatShanghaiTime(tsMs: number): string {
  return `${shanghaiTime.format(tsMs)} UTC+8`;
}

const numberFormats: Record<Lang, Intl.NumberFormat> = {
  zh: new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 }),
  en: new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 }),
};

export function formatNumber(value: number, lang: Lang): string {
  return numberFormats[lang].format(value);
}

/** "3 s" / "2 min" / "1 h" — short ages for the status badge. */
export function formatAge(ms: number, lang: Lang): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (lang === 'zh') {
    if (s < 60) return `${s} 秒前`;
    if (s < 3600) return `${Math.floor(s / 60)} 分钟前`;
    return `${Math.floor(s / 3600)} 小时前`;
  }
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}

/** "2026-11-28 14:05 UTC+8": a minute of history, in Shanghai time. */
export function formatShanghaiMinute(tsMs: number): string {
  return `${shanghaiTime.format(tsMs).slice(0, 16)} UTC+8`;
}
