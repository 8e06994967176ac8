/** The `/ingest` Socket.IO namespace, for devices that stream: token in the handshake, one ack per batch. */
import type { Namespace, Server } from 'socket.io';
import { INGEST_NAMESPACE, type IngestClientToServerEvents, type IngestServerToClientEvents } from '@models/events.ts';
import type { Ack } from '@models/api.ts';
import type { IngestAccepted } from '@models/telemetry.ts';
import type { TelemetryService } from './telemetry.service.ts';

/** Batches per minute per client address, shared by all its sockets: the same budget as the HTTP route. */
class MinuteWindow {
  private readonly counts = new Map<string, { windowStartMs: number; count: number }>();
  constructor(
    private readonly max: number,
    private readonly now: () => number,
  ) {}

  /** Seconds until the client may send again, or 0 when this batch is allowed. */
  take(client: string): number {
    const now = this.now();
    let w = this.counts.get(client);
    if (!w || now - w.windowStartMs >= 60_000) {
      // forget finished windows so the map does not grow with every address ever seen
      for (const [k, v] of this.counts) if (now - v.windowStartMs >= 60_000) this.counts.delete(k);
      w = { windowStartMs: now, count: 0 };
      this.counts.set(client, w);
    }
    if (w.count >= this.max) return Math.ceil((w.windowStartMs + 60_000 - now) / 1000);
    w.count++;
    return 0;
  }
}

export function registerIngestNamespace(
  io: Server,
  service: TelemetryService,
  log: { error: (obj: object, msg: string) => void },
  limits: { batchesPerMinute: number; now: () => number },
): void {
  const ingest = io.of(INGEST_NAMESPACE) as Namespace<IngestClientToServerEvents, IngestServerToClientEvents>;
  const window = new MinuteWindow(limits.batchesPerMinute, limits.now);

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
      const retryAfterS = window.take(socket.handshake.address);
      if (retryAfterS > 0) {
        ack({ ok: false, error: `too many ingest batches: at most ${limits.batchesPerMinute} per minute per client; retry in ${retryAfterS} s`, retryAfterS });
        return;
      }
      let res: Ack<IngestAccepted>;
      try {
        const outcome = service.ingest(batch);
        res = outcome.ok
          ? { ok: true, data: outcome.accepted }
          : { ok: false, error: `${outcome.status === 409 ? 'conflicting batch' : 'invalid batch'}: ${outcome.issues.length} problem(s), nothing was stored`, issues: outcome.issues };
      } catch (err) {
        log.error({ err }, 'ingest failed');
        res = { ok: false, error: 'the batch could not be stored; nothing was written, send it again' };
      }
      ack(res);
    });
  });
}
