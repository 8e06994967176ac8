/**
 * Ingest through any gateway, durable before its 2xx (ROLE=gateway): the gateway checks the token and the budget, then
 * forwards the batch to the district engine over Redis and answers only with the engine's outcome; the engine
 * validates it, stores it in history (one transaction) and applies it, exactly as TelemetryService does in one process.
 *
 *   gateway ── XADD twin:ingest {id, reply, deadline, body} ──► engine (IngestServer: XREAD BLOCK)
 *   gateway ◄── PUBLISH twin:ingest:reply:<gateway> {id, outcome} ──┘
 *
 * No answer within FORWARD_TIMEOUT_MS → 503 "send it again"; the engine skips a request whose deadline has passed, and
 * a batch sent twice is stored once (a repeated reading is a duplicate, not a conflict), so retrying is always safe.
 */
import { randomUUID } from 'node:crypto';
import { IngestUnavailable, type AuthProblem, type IngestOutcome, type IngestPort, type TelemetryService } from '../telemetry/telemetry.service.ts';
import { KEYS, type BufferClient, type RedisClient } from './redis.transport.ts';

export const FORWARD_TIMEOUT_MS = 10_000;
const INGEST_MAXLEN = 1000;

interface Reply {
  id: string;
  outcome?: IngestOutcome;
  /** The engine could not store it (a failing disk): nothing was written. */
  failed?: string;
}

export class IngestForwarder implements IngestPort {
  readonly gatewayId = randomUUID();
  private readonly pending = new Map<string, { resolve: (o: IngestOutcome) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();

  constructor(
    private readonly redis: RedisClient,
    private readonly subscriber: RedisClient,
    readonly authProblem: (token: unknown) => AuthProblem | null,
    private readonly now: () => number,
  ) {}

  async start(): Promise<void> {
    await this.subscriber.subscribe(KEYS.reply(this.gatewayId), (raw) => {
      const reply = JSON.parse(raw) as Reply;
      const p = this.pending.get(reply.id);
      if (!p) return; // answered after we gave up: the device was told to send it again
      this.pending.delete(reply.id);
      clearTimeout(p.timer);
      if (reply.outcome) p.resolve(reply.outcome);
      else p.reject(new Error(reply.failed ?? 'the engine could not store the batch'));
    });
  }

  ingest(input: unknown): Promise<IngestOutcome> {
    const id = randomUUID();
    const deadline = this.now() + FORWARD_TIMEOUT_MS;
    return new Promise<IngestOutcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new IngestUnavailable(`the district engine did not confirm the batch within ${FORWARD_TIMEOUT_MS / 1000} s, so it may not have been stored: send it again (a repeated batch is stored once)`));
      }, FORWARD_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.redis
        .xAdd(KEYS.ingest, '*', { id, reply: this.gatewayId, deadline: String(deadline), body: JSON.stringify(input) }, { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: INGEST_MAXLEN } })
        .catch(() => {
          this.pending.delete(id);
          clearTimeout(timer);
          reject(new IngestUnavailable('the transport to the district engine (Redis) is unreachable: nothing was stored, send it again'));
        });
    });
  }

  close(): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new IngestUnavailable('the gateway is shutting down: the batch may not have been stored, send it again'));
      this.pending.delete(id);
    }
  }
}

/** The engine's side: take forwarded batches in order, run them through TelemetryService, answer each gateway. */
export class IngestServer {
  private running = false;
  private stopped: Promise<void> = Promise.resolve();

  constructor(
    private readonly reader: BufferClient,
    private readonly publisher: RedisClient,
    private readonly service: TelemetryService,
    private readonly now: () => number,
    private readonly log: { warn: (obj: object, msg: string) => void; error: (obj: object, msg: string) => void },
  ) {}

  /** Reads requests made from now on (one sent while no engine ran has timed out at its gateway). */
  async start(): Promise<void> {
    const last = (await this.reader.xRevRange(KEYS.ingest, '+', '-', { COUNT: 1 })) as unknown as Array<{ id: Buffer }>;
    let lastId = last.length > 0 ? String(last[0]!.id) : '0-0';
    this.running = true;
    this.stopped = (async () => {
      let failing = false;
      while (this.running) {
        try {
          const res = (await this.reader.xRead({ key: KEYS.ingest, id: lastId }, { BLOCK: 1000, COUNT: 10 })) as unknown as Array<{ messages: Array<{ id: Buffer; message: Record<string, Buffer> }> }> | null;
          failing = false;
          for (const { id, message } of res?.[0]?.messages ?? []) {
            lastId = String(id);
            await this.handle(message);
          }
        } catch (err) {
          if (!this.running) break;
          if (!failing) this.log.warn({ err }, 'engine: lost the ingest stream (Redis)');
          failing = true;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    })();
  }

  private async handle(message: Record<string, Buffer>): Promise<void> {
    const id = String(message.id);
    if (Number(String(message.deadline)) < this.now()) return; // its gateway has already answered 503
    let reply: Reply;
    try {
      reply = { id, outcome: await this.service.ingest(JSON.parse(String(message.body))) };
    } catch (err) {
      this.log.error({ err }, 'ingest failed');
      reply = { id, failed: 'the batch could not be stored; nothing was written, send it again' };
    }
    await this.publisher.publish(KEYS.reply(String(message.reply)), JSON.stringify(reply));
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.stopped;
  }
}
