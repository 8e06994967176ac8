/** The `/ingest` Socket.IO namespace, for devices that stream: token in the handshake, one ack per batch. */
import type { Namespace, Server } from 'socket.io';
import { INGEST_NAMESPACE, type IngestClientToServerEvents, type IngestServerToClientEvents } from '@models/events.ts';
import type { Ack } from '@models/api.ts';
import type { IngestAccepted } from '@models/telemetry.ts';
import { IngestUnavailable, type IngestPort } from './telemetry.service.ts';
import type { IngestLimits } from '../security/ingestLimits.ts';
import { metrics } from '../ops/metrics.ts';

export function registerIngestNamespace(
  io: Server,
  service: IngestPort,
  log: { error: (obj: object, msg: string) => void },
  limits: IngestLimits,
): void {
  const ingest = io.of(INGEST_NAMESPACE) as Namespace<IngestClientToServerEvents, IngestServerToClientEvents>;

  ingest.use((socket, next) => {
    // Wrong tokens count against the address, as on the HTTP route (security/ingestLimits.ts).
    void limits.admitToken(socket.handshake.address, (socket.handshake.auth as { token?: unknown } | undefined)?.token, (t) => service.authProblem(t)).then((admission) => {
      if (admission.ok) return next();
      metrics.ingestRefused('socket', admission.reason);
      // The client sees this as connect_error with this message and data.
      const refusal = new Error(admission.error) as Error & { data: { status: number; retryAfterS?: number } };
      refusal.data = { status: admission.status, ...(admission.retryAfterS !== undefined && { retryAfterS: admission.retryAfterS }) };
      next(refusal);
    }, (err: unknown) => next(err instanceof Error ? err : new Error(String(err))));
  });

  ingest.on('connection', (socket) => {
    socket.on('telemetry:batch', async (batch, ack) => {
      if (typeof ack !== 'function') return;
      const budget = await limits.takeBudget(socket.handshake.address);
      if (!budget.ok) {
        metrics.ingestRefused('socket', budget.reason);
        ack({ ok: false, error: budget.error, retryAfterS: budget.retryAfterS });
        return;
      }
      // The ack goes after the commit (or the refusal); nothing was written when it says so.
      let res: Ack<IngestAccepted>;
      try {
        const outcome = await service.ingest(batch);
        res = outcome.ok
          ? { ok: true, data: outcome.accepted }
          : { ok: false, error: `${outcome.status === 409 ? 'conflicting batch' : 'invalid batch'}: ${outcome.issues.length} problem(s), nothing was stored`, issues: outcome.issues };
      } catch (err) {
        if (err instanceof IngestUnavailable) res = { ok: false, error: err.message, retryAfterS: 1 };
        else {
          log.error({ err }, 'ingest failed');
          res = { ok: false, error: 'the batch could not be stored; nothing was written, send it again' };
        }
      }
      metrics.ingestSocketAck(res);
      ack(res);
    });
  });
}
