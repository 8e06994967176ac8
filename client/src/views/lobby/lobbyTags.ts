/** What kind of figure a number is, as the wall labels it. */
import type { Bilingual } from '@models/district.ts';
import type { Confidence } from '@models/district.ts';
import type { ValueSource } from '@models/metrics.ts';

export type FigureKind = 'simulated' | 'live' | 'sourced' | 'synthetic' | 'approximate';

export const FIGURE_KIND: Record<FigureKind, Bilingual> = {
  simulated: { zh: '模拟', en: 'simulated' },
  live: { zh: '实时数据', en: 'live feed' },
  sourced: { zh: '来源事实', en: 'sourced fact' },
  synthetic: { zh: '合成数据', en: 'synthetic' },
  approximate: { zh: '约数', en: 'approximate' },
};

export const kindOfSource = (s: ValueSource | null | undefined): FigureKind => (s === 'ingest' ? 'live' : 'simulated');
export const kindOfConfidence = (c: Confidence): FigureKind => c;
