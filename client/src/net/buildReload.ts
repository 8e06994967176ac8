/**
 * An unattended wall reloads itself when the server reports a newer client build: `__BUILD_ID__` is compiled in by
 * vite.config.ts, and the server serves the deployed build's id (dist/client/build.json) at GET /api/v1/build. When
 * they differ the page reloads — once per server build id (remembered in sessionStorage), so a server that keeps
 * reporting an id this bundle cannot match (a stale cache, a half-finished deployment) cannot make the wall loop.
 * Checked every `pollMs` and whenever the socket connects again (a restart is when a deployment lands).
 */
import type { BuildResponse } from '@models/api.ts';
import { startSocket } from './socket.ts';

declare const __BUILD_ID__: string;
/** The build this page runs; 'dev' under the Vite dev server and the unit tests (no define there). */
export const CLIENT_BUILD_ID: string = typeof __BUILD_ID__ === 'string' ? __BUILD_ID__ : 'dev';
const RELOADED_FOR = 'westbund.reloadedForBuild';

export function startBuildWatch(pollMs = 60_000): () => void {
  let stopped = false;
  const check = async () => {
    try {
      const res = await fetch('/api/v1/build', { cache: 'no-store', headers: { accept: 'application/json' } });
      if (!res.ok) return;
      const { buildId } = (await res.json()) as BuildResponse;
      if (stopped || !buildId || buildId === CLIENT_BUILD_ID) return;
      if (sessionStorage.getItem(RELOADED_FOR) === buildId) return; // reloaded for it once already: no loop
      sessionStorage.setItem(RELOADED_FOR, buildId);
      window.location.reload();
    } catch {
      // offline: the banner says so; the next check or reconnect tries again
    }
  };
  void check();
  const id = window.setInterval(() => void check(), pollMs);
  const socket = startSocket();
  const onConnect = () => void check();
  socket.on('connect', onConnect);
  return () => {
    stopped = true;
    window.clearInterval(id);
    socket.off('connect', onConnect);
  };
}
