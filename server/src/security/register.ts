/** Everything that keeps hostile or careless clients out, registered on a new app before its routes. */
import type { FastifyInstance } from 'fastify';
import type { Server } from 'socket.io';
import type { AppOptions } from '../config.ts';
import { metrics } from '../ops/metrics.ts';
import { registerHttpSecurity } from './http.ts';
import { IngestLimits } from './ingestLimits.ts';
import { registerEngineAdmission, type SessionCounts } from './sessions.ts';

export interface Security {
  /** Wrong-token lockout and the per-client ingest budget, shared by HTTP and /ingest. */
  ingestLimits: IngestLimits;
  sessions: SessionCounts;
}

export async function registerSecurity(http: FastifyInstance, io: Server, options: AppOptions): Promise<Security> {
  await registerHttpSecurity(http, options.limits);
  const sessions = registerEngineAdmission(io, options.limits, (reason) => metrics.sessionsRefused.inc({ reason }));
  const ingestLimits = new IngestLimits({ authFailuresPerMinute: options.limits.authFailuresPerMinute, perMinute: options.ingestRateLimit, now: options.now });
  return { ingestLimits, sessions };
}
