import { useEffect } from 'react';
import { useTwin } from './state/store.ts';
import { ExplorerView } from './views/ExplorerView.tsx';
import { BriefingView } from './views/BriefingView.tsx';
import { RemoteView } from './views/RemoteView.tsx';
import { LobbyView } from './views/LobbyView.tsx';
import { TourView } from './views/TourView.tsx';
import { viewPathOf, type ViewPath } from './views/routes.ts';

/** Views not built yet fall back to the explorer; each view registers here as it lands. */
const VIEWS: Partial<Record<ViewPath, () => React.JSX.Element>> = {
  '/': ExplorerView,
  '/briefing': BriefingView,
  '/remote': RemoteView,
  '/lobby': LobbyView,
  '/tour': TourView,
};

export function App() {
  const lang = useTwin((s) => s.view.lang);
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = lang === 'zh' ? '徐汇滨江 · West Bund Twin' : 'West Bund Twin · 徐汇滨江';
  }, [lang]);

  const path = viewPathOf(window.location.pathname);
  const View = VIEWS[path] ?? ExplorerView;
  return (
    <div className="app" data-lang={lang} data-view={path}>
      <View />
    </div>
  );
}
