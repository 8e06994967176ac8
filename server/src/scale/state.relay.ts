/**
 * `GET /api/v1/state` on a gateway (ROLE=gateway). The document (values as stored, sources, ages, stale marks, pools,
 * companies) exists only on the engine: a gateway's mirrored frame is quantised. So the gateway asks the engine, and the
 * engine builds it at most once per state revision and tick (engine/state.document.ts, in chunks, as in one process)
 * and leaves one gzipped copy in Redis for every gateway to read:
 *
 *   gateway ── PUBLISH twin:state:request {id, reply} ───────────────────────────────► engine (StateServer)
 *      engine: StateDocument.current() (one build per revision:tick, shared by every request meanwhile)
 *              → gzip (zlib's thread pool, off the loop) → SET twin:state:doc:<epoch>:<revision>:<tick> PX 10 s+
 *   gateway ◄── PUBLISH twin:state:reply:<gateway> {id, key} ──────────────────────────────┘
 *   gateway: GET key, once per key (every request for that key meanwhile shares it) → served gzipped as it is
 *            (Content-Encoding: gzip), or unzipped for a client that does not accept gzip.
 *
 * N gateways × M requests cost the engine one build per document and one small PUBLISH per request; the build yields
 * to the loop between chunks, so no read stalls a tick. A reading acknowledged with 2xx (the engine applied it) is in
 * the next document asked for, whichever gateway asks, because applying it changes the state revision.
 * No engine subscribed (the PUBLISH reaches nobody), Redis unreachable, or no answer within STATE_TIMEOUT_MS →
 * StateUnavailable: 503 "the district engine is unreachable … retry" with Retry-After.
 */
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { RESP_TYPES } from 'redis';
import { StateUnavailable, type StateBody, type StateDocument, type StateSource } from '../engine/state.document.ts';
import type { RedisClient } from './redis.transport.ts';

export const STATE_KEYS = {
  request: 'twin:state:request',
  reply: (gatewayId: string) => `twin:state:reply:${gatewayId}`,
  doc: (epoch: string, key: string) => `twin:state:doc:${epoch}:${key}`,
} as const;

/** How long a gateway waits for the engine's answer (a 50,000-building build takes well under a second). */
export const STATE_TIMEOUT_MS = 5000;
/** What a 503 tells the client to wait before it asks again. */
export const STATE_RETRY_AFTER_S = 2;
/** A stored document outlives its reply by far; it is replaced within a tick anyway. */
const docTtlMs = (tickMs: number) => Math.max(10_000, 3 * tickMs);

const gzipAsync = promisify(gzip);

interface Request {
  id: string;
  reply: string;
}
interface Reply {
  id: string;
  key?: string;
  failed?: string;
}

const unreachable = (why: string) => new StateUnavailable(`the district engine is unreachable (${why}): retry in ${STATE_RETRY_AFTER_S} s`, STATE_RETRY_AFTER_S);

/** The engine's side: answer every request with the key of the current document, storing it once. */
export class StateServer {
  /** Documents built and stored so far (the engine's /healthz reports it: every request shares a build). */
  builds = 0;
  private stored: { key: string; done: Promise<Buffer> } | null = null;

  constructor(
    private readonly redis: RedisClient,
    private readonly subscriber: RedisClient,
    private readonly doc: StateDocument,
    private readonly epoch: string,
    private readonly tickMs: number,
    private readonly log: { error: (obj: object, msg: string) => void },
  ) {}

  /** Answering requests (only while this engine leads); subscribed once, whatever happens to Redis in between. */
  private serving = false;
  private subscribed = false;

  async start(): Promise<void> {
    this.serving = true;
    if (this.subscribed) return;
    await this.subscriber.subscribe(STATE_KEYS.request, (raw) => void this.handle(raw));
    this.subscribed = true;
  }

  /** Stop answering (an engine standing by must not serve its old document). */
  async stop(): Promise<void> {
    this.serving = false;
  }

  private async handle(raw: string): Promise<void> {
    if (!this.serving) return;
    let req: Request;
    try {
      req = JSON.parse(raw) as Request;
      if (typeof req.id !== 'string' || typeof req.reply !== 'string') return;
    } catch {
      return;
    }
    let reply: Reply;
    try {
      reply = { id: req.id, key: await this.store() };
    } catch (err) {
      this.log.error({ err }, 'engine: could not store the state document on Redis');
      reply = { id: req.id, failed: 'the engine could not store the state document' };
    }
    await this.redis.publish(STATE_KEYS.reply(req.reply), JSON.stringify(reply)).catch(() => {
      // Redis went away: the gateway's timeout answers 503
    });
  }

  /** The Redis key holding the current document, gzipped: built and stored once per document, refreshed on reuse. */
  private async store(): Promise<string> {
    const ttl = docTtlMs(this.tickMs);
    const { key: docKey, chunks } = this.doc.current();
    const key = STATE_KEYS.doc(this.epoch, docKey);
    if (this.stored?.key === key) {
      const gz = await this.stored.done;
      // Still there (Redis may have restarted empty since): keep it alive, else store it again.
      if (!(await this.redis.pExpire(key, ttl))) await this.redis.set(key, gz, { PX: ttl });
      return key;
    }
    this.builds++;
    const done = (async () => {
      const gz = await gzipAsync(Buffer.concat(await chunks));
      await this.redis.set(key, gz, { PX: ttl });
      return gz;
    })();
    this.stored = { key, done };
    done.catch(() => {
      if (this.stored?.done === done) this.stored = null; // a failed store is not reused
    });
    await done;
    return key;
  }
}

/** The gateway's side: a StateSource that asks the engine and reads the document it names. */
export class StateRelay implements StateSource {
  readonly gatewayId = randomUUID();
  private readonly pending = new Map<string, { resolve: (key: string) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private body: { key: string; gz: Promise<Buffer | null> } | null = null;
  private readonly bytes;

  constructor(
    private readonly redis: RedisClient,
    private readonly subscriber: RedisClient,
  ) {
    this.bytes = redis.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  }

  async start(): Promise<void> {
    await this.subscriber.subscribe(STATE_KEYS.reply(this.gatewayId), (raw) => {
      const reply = JSON.parse(raw) as Reply;
      const p = this.pending.get(reply.id);
      if (!p) return; // answered after we gave up
      this.pending.delete(reply.id);
      clearTimeout(p.timer);
      if (reply.key) p.resolve(reply.key);
      else p.reject(unreachable(reply.failed ?? 'no document'));
    });
  }

  async read(): Promise<StateBody> {
    const key = await this.ask();
    if (this.body?.key !== key) {
      const gz = this.bytes.get(key) as unknown as Promise<Buffer | null>;
      this.body = { key, gz };
      gz.catch(() => {
        if (this.body?.gz === gz) this.body = null;
      });
    }
    const gz = await this.body.gz.catch(() => null);
    if (!gz) throw unreachable('the document it stored could not be read from Redis');
    return { gzip: gz, key };
  }

  private ask(): Promise<string> {
    const id = randomUUID();
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(unreachable(`no answer within ${STATE_TIMEOUT_MS / 1000} s`));
      }, STATE_TIMEOUT_MS);
      const fail = (err: Error) => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        reject(err);
      };
      this.pending.set(id, { resolve, reject, timer });
      this.redis.publish(STATE_KEYS.request, JSON.stringify({ id, reply: this.gatewayId } satisfies Request)).then(
        (receivers) => {
          if (receivers === 0) fail(unreachable('no engine is connected to Redis'));
        },
        () => fail(unreachable('Redis, which joins gateways to the engine, is unreachable')),
      );
    });
  }

  close(): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(unreachable('the gateway is shutting down'));
      this.pending.delete(id);
    }
  }
}
