/**
 * Operations, registered on a new app before its routes: GET /metrics (Prometheus), the health tracker that /healthz
 * reports, and quiet probes (a probe a second is not an info line each time: /healthz and /metrics log at warn).
 */
import type { FastifyInstance } from 'fastify';
import type { Server } from 'socket.io';
import type { HistoryRepository } from '../history/history.repository.ts';
import type { SessionCounts } from '../security/sessions.ts';
import { HealthTracker } from './health.ts';
import { metrics } from './metrics.ts';

const PROBES = new Set(['/healthz', '/metrics']);

export interface Ops {
  health: HealthTracker;
  close(): void;
}

/** `io` is null on a district engine across Redis (ROLE=engine): it has no screens of its own. */
export function registerOps(http: FastifyInstance, io: Server | null, deps: { history: HistoryRepository; /** The SQLite file (its size is a gauge); null with PostgreSQL. */ historyFile: string | null; sessions: SessionCounts; /** Frames busy screens skipped so far (the gateway's count); none on an engine. */ framesSkipped?: () => number; now: () => number }): Ops {
  http.addHook('onRoute', (route) => {
    if (PROBES.has(route.url)) route.logLevel = 'warn';
  });

  const health = new HealthTracker(deps.now);
  health.watchHistory(deps.history);
  const removeSources = metrics.addSources({
    screens: () => io?.of('/').sockets.size ?? 0,
    sessions: deps.sessions.total,
    framesSkipped: deps.framesSkipped ?? (() => 0),
    databaseFiles: () => (deps.historyFile ? [deps.historyFile, `${deps.historyFile}-wal`] : []),
  });

  http.get('/metrics', async (_req, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });

  return { health, close: removeSources };
}
