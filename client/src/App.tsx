import { useEffect } from 'react';
import { useTwin } from './state/store.ts';
import { TwinCanvas } from './scene/TwinCanvas.tsx';
import { LabelLayer } from './scene/labels/LabelLayer.tsx';
import { HoverCard } from './ui/HoverCard.tsx';
import { Hud } from './ui/Hud.tsx';

export function App() {
  const lang = useTwin((s) => s.lang);
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = lang === 'zh' ? '徐汇滨江 · West Bund Twin' : 'West Bund Twin · 徐汇滨江';
  }, [lang]);

  return (
    <div className="app" data-lang={lang}>
      <div className="stage">
        <TwinCanvas />
        <LabelLayer />
        <HoverCard />
        <div className="vignette" aria-hidden="true" />
      </div>
      <Hud />
    </div>
  );
}
