/** The `/ingest` Socket.IO namespace, for devices that stream: token in the handshake, one ack per batch. */
import type { Namespace, Server } from 'socket.io';
import { INGEST_NAMESPACE, type IngestClientToServerEvents, type IngestServerToClientEvents } from '@models/events.ts';
import type { Ack } from '@models/api.ts';
import type { IngestAccepted } from '@models/telemetry.ts';
import type { TelemetryService } from './telemetry.service.ts';

export function registerIngestNamespace(io: Server, service: TelemetryService, log: { error: (obj: object, msg: string) => void }): void {
  const ingest = io.of(INGEST_NAMESPACE) as Namespace<IngestClientToServerEvents, IngestServerToClientEvents>;

  ingest.use((socket, next) => {
    const problem = service.authProblem((socket.handshake.auth as { token?: unknown } | undefined)?.token);
    if (!problem) return next();
    // The client sees this as connect_error with this message and data.
    const refusal = new Error(problem.error) as Error & { data: { status: number } };
    refusal.data = { status: problem.status };
    next(refusal);
  });

  ingest.on('connection', (socket) => {
    socket.on('telemetry:batch', (batch, ack) => {
      if (typeof ack !== 'function') return;
      let res: Ack<IngestAccepted>;
      try {
        const outcome = service.ingest(batch);
        res = outcome.ok
          ? { ok: true, data: outcome.accepted }
          : { ok: false, error: `invalid batch: ${outcome.issues.length} problem(s), nothing was stored`, issues: outcome.issues };
      } catch (err) {
        log.error({ err }, 'ingest failed');
        res = { ok: false, error: 'the batch could not be stored; nothing was written, send it again' };
      }
      ack(res);
    });
  });
}
