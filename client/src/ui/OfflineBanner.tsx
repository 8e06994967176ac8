/**
 * A wall never lies: after OFFLINE_AFTER_MS without a live frame it says so in large type, in both languages, with the
 * Shanghai time of the last frame ("离线 · Offline since 14:03"), and sets `data-offline` on <body> so a view can
 * grey its colours. It goes by itself when frames flow again. Made for /lobby and /tour (walls), not the explorer.
 */
import { useEffect, useState } from 'react';
import { live } from '../state/store.ts';
import './offlineBanner.css';

export const OFFLINE_AFTER_MS = 10_000;

const hhmm = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false });

export function OfflineBanner() {
  const [since, setSince] = useState<string | null>(null);
  useEffect(() => {
    const mountedAt = performance.now();
    const check = () => {
      // the last frame's time on this screen's clock; before any frame, the page load
      const lastAt = live.hasFrame ? live.receivedAtMs : mountedAt;
      const silentMs = performance.now() - lastAt;
      const next = silentMs > OFFLINE_AFTER_MS ? hhmm.format(Date.now() - silentMs) : null;
      setSince((prev) => (prev === next ? prev : next));
      if (next) document.body.dataset.offline = '1';
      else delete document.body.dataset.offline;
    };
    check();
    const id = window.setInterval(check, 1000);
    return () => {
      window.clearInterval(id);
      delete document.body.dataset.offline;
    };
  }, []);
  if (!since) return null;
  return (
    <div className="offline-banner" role="alert" data-testid="offline-banner">
      <span lang="zh-CN">离线 · 自 {since} 起</span>
      <span lang="en">Offline since {since}</span>
    </div>
  );
}
