/**
 * `/lobby`: the 模速空间 compute wall, for a 4K panel read from 3–5 m. The nine suppliers' pools live (store `pools`,
 * kept current by `pools:update`), the telecom link, the building's floors and tenants with their chain links, and the
 * services platforms with sourced figures (`GET /api/v1/mosu`, from data/mosu.json). Every figure says whether it is
 * simulated, a live feed or a sourced fact. No controls, no cursor; the content drifts slowly against burn-in; the
 * language alternates unless `?lang=` fixes it; after 10 s without frames the wall says it is offline.
 */
import { useEffect, useState } from 'react';
import { useTwin, type Lang } from '../state/store.ts';
import { OfflineBanner } from '../ui/OfflineBanner.tsx';
import { BuildingPanel } from './lobby/BuildingPanel.tsx';
import { PlatformsPanel } from './lobby/PlatformsPanel.tsx';
import { LinkFact, PoolsPanel } from './lobby/PoolsPanel.tsx';
import { startPoolHistory } from './lobby/poolHistory.ts';
import { useMosu } from './lobby/useMosu.ts';
import './lobby/lobby.css';
import { useWallLang } from './useWallLang.ts';



const clockFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false });

function Clock() {
  const [now, setNow] = useState(() => clockFormat.format(Date.now()));
  useEffect(() => {
    const id = window.setInterval(() => setNow(clockFormat.format(Date.now())), 5000);
    return () => window.clearInterval(id);
  }, []);
  return <span className="lobby-clock">{now} 上海 Shanghai</span>;
}

export function LobbyView() {
  const district = useTwin((s) => s.district);
  const pools = useTwin((s) => s.pools);
  const { mosu, error } = useMosu();
  const lang = useWallLang();
  const linkFact = mosu?.facts.find((f) => f.id === mosu.linkFactId);
  useEffect(() => startPoolHistory(), []);

  const ready = !!district && !!mosu;
  useEffect(() => {
    if (ready) document.body.dataset.lobbyReady = '1';
  }, [ready]);

  return (
    <div className="lobby" data-testid="lobby" data-lang={lang}>
      <div className="lobby-drift">
        <header className="lobby-header">
          <h1 className="lobby-title">
            <span className="lobby-title__name">{mosu?.name[lang] ?? (lang === 'zh' ? '模速空间' : 'ModelSpeed Space')}</span>
            {mosu && (
              <span className="lobby-title__sub">
                {mosu.name[lang === 'zh' ? 'en' : 'zh']} · {mosu.subtitle[lang]}
              </span>
            )}
          </h1>
          {linkFact && <LinkFact fact={linkFact} lang={lang} />}
          <Clock />
        </header>
        {district && mosu ? (
          <main className="lobby-body">
            <PoolsPanel district={district} pools={pools} lang={lang} />
            <BuildingPanel district={district} mosu={mosu} lang={lang} />
            <PlatformsPanel mosu={mosu} lang={lang} />
          </main>
        ) : (
          <p className="lobby-loading">
            <span lang="zh-CN">正在连接…</span> <span lang="en">Connecting…</span>
            {error && <span className="lobby-loading__error"> {error}</span>}
          </p>
        )}
      </div>
      <OfflineBanner />
    </div>
  );
}
