/**
 * The engine ↔ gateway seam (engine/engine.interface.ts) carried over Redis, for ROLE=engine and ROLE=gateway:
 *
 *   engine ── EnginePublisher ──► stream `twin:engine` (XADD, MAXLEN ~ STREAM_MAXLEN; frames as bytes)
 *                          └────► hash `twin:engine:current` (what a gateway starts from), written in the SAME MULTI
 *   stream ──► EngineFeed (XREAD BLOCK from the last id) ──► Gateway.tick / Gateway.companies, exactly as in-process
 *
 * A gateway (re)synchronises by reading the stream's last id FIRST, then the current hash, then every message after
 * that id: because the engine writes hash and message atomically, nothing is missed (a message already in the hash is
 * seen twice, and a tick whose seq is not newer is dropped; company records are idempotent). Each engine run has an
 * `epoch`: a restarted engine starts its seq again, and a gateway that sees a new epoch resynchronises.
 *
 * While Redis is unreachable the engine drops what it would publish (commands fail fast, nothing queues without bound)
 * and the gateways keep their last picture; when Redis is back, the next tick rewrites the hash and the gateways resync.
 */
import { randomUUID } from 'node:crypto';
import { createClient, RESP_TYPES } from 'redis';
import type { CompanyState, PoolState } from '@models/api.ts';
import type { DistrictEvent } from '@models/events.ts';
import type { EngineCurrent, EngineOutput, TickMessage } from '../engine/engine.interface.ts';

export const KEYS = {
  stream: 'twin:engine',
  current: 'twin:engine:current',
  ingest: 'twin:ingest',
  reply: (gatewayId: string) => `twin:ingest:reply:${gatewayId}`,
} as const;

/** About a minute of ticks at the default TICK_MS: a gateway that falls further behind resyncs from the hash anyway. */
export const STREAM_MAXLEN = 60;

function newClient(url: string, offlineQueue = false) {
  return createClient({
    url,
    disableOfflineQueue: !offlineQueue,
    socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000), connectTimeout: 5000 },
  });
}
export type RedisClient = ReturnType<typeof newClient>;

/** A connected client that fails commands at once while disconnected (no offline queue) and reconnects by itself. */
export async function connectRedis(url: string, onError: (err: unknown) => void): Promise<RedisClient> {
  const client = newClient(url);
  client.on('error', onError);
  await client.connect();
  return client;
}

/**
 * For the Socket.IO Redis Streams adapter: WITH the offline queue, because the adapter retries a failed XREAD at once,
 * which without the queue spins and starves the event loop (so the client never gets to reconnect) while Redis is down.
 */
export async function connectAdapterClient(url: string): Promise<RedisClient> {
  const client = newClient(url, true);
  client.on('error', () => {
    // the adapter carries on once the client has reconnected
  });
  await client.connect();
  return client;
}

/** A second connection of the same client for blocking reads, answering bulk strings as Buffers (frames are bytes). */
export async function blockingDuplicate(client: RedisClient, onError: (err: unknown) => void) {
  const dup = client.duplicate();
  dup.on('error', onError);
  await dup.connect();
  return dup.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
}
export type BufferClient = Awaited<ReturnType<typeof blockingDuplicate>>;

interface TickJson {
  seq: number;
  districtTimeMs: number;
  wallMs: number;
  pools: PoolState[];
  companies: CompanyState[];
  events: DistrictEvent[];
}
interface CompaniesJson {
  changes: CompanyState[];
  events: DistrictEvent[];
}
type CurrentJson = Omit<EngineCurrent, 'frame'>;

/** The engine's side: every EngineOutput message onto the stream, with the current state beside it. */
export class EnginePublisher implements EngineOutput {
  readonly epoch = randomUUID();
  private failing = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly current: () => EngineCurrent,
    private readonly log: { warn: (obj: object, msg: string) => void; info: (msg: string) => void },
  ) {}

  tick(m: TickMessage): void {
    const json: TickJson = { seq: m.seq, districtTimeMs: m.districtTimeMs, wallMs: m.wallMs, pools: m.pools, companies: m.companies, events: m.events };
    this.publish({ kind: 'tick', epoch: this.epoch, json: JSON.stringify(json), frame: Buffer.from(m.frame.buffer, m.frame.byteOffset, m.frame.byteLength) });
  }

  companies(changes: CompanyState[], events: DistrictEvent[]): void {
    this.publish({ kind: 'companies', epoch: this.epoch, json: JSON.stringify({ changes, events } satisfies CompaniesJson) });
  }

  /** Write the current state alone (at start, so gateways can start before the first tick). */
  async announce(): Promise<void> {
    await this.redis.hSet(KEYS.current, this.currentFields());
  }

  private currentFields(): Record<string, string | Buffer> {
    const c = this.current();
    const current: CurrentJson = { seq: c.seq, districtTimeMs: c.districtTimeMs, pools: c.pools, companies: c.companies };
    return { epoch: this.epoch, json: JSON.stringify(current), frame: Buffer.from(c.frame.buffer, c.frame.byteOffset, c.frame.byteLength) };
  }

  /** The current state and one message, atomically (see the header for why). */
  private publish(message: Record<string, string | Buffer>): void {
    this.redis
      .multi()
      .hSet(KEYS.current, this.currentFields())
      .xAdd(KEYS.stream, '*', message, { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: STREAM_MAXLEN } })
      .exec()
      .then(
        () => {
          if (this.failing) this.log.info('engine: publishing to Redis again');
          this.failing = false;
        },
        (err: unknown) => {
          // Once per outage, not once per tick.
          if (!this.failing) this.log.warn({ err }, 'engine: could not publish to Redis; screens keep their last frame until it is back');
          this.failing = true;
        },
      );
  }
}

const text = (v: unknown) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
// a copy: a reply's Buffer may be a view into a larger chunk, and the frame goes out as it is
const bytes = (v: unknown) => (Buffer.isBuffer(v) ? Uint8Array.from(v) : new Uint8Array());

/** The engine's current state as a gateway starts from it, or null when no engine has published yet. */
export async function readCurrent(redis: BufferClient): Promise<{ epoch: string; current: EngineCurrent } | null> {
  const h = (await redis.hGetAll(KEYS.current)) as unknown as Record<string, Buffer>;
  if (!h.epoch || !h.json || !h.frame) return null;
  const json = JSON.parse(text(h.json)) as CurrentJson;
  return { epoch: text(h.epoch), current: { ...json, frame: Uint8Array.from(h.frame) } };
}

/** What a gateway feeds from the stream: the Gateway itself, plus a reset for a resync. */
export interface FeedTarget extends EngineOutput {
  reset(current: EngineCurrent): void;
}

/** The gateway's side: read the stream and feed the Gateway as the in-process engine would. */
export class EngineFeed {
  private running = false;
  private lastId = '0-0';
  private epoch: string | null = null;
  private lastSeq = -1;
  private stopped: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: BufferClient,
    private readonly target: FeedTarget,
    private readonly log: { warn: (obj: object, msg: string) => void; info: (msg: string) => void },
  ) {}

  /** Wait until an engine has published (polling), for a gateway that starts before its engine. */
  static async waitForCurrent(redis: BufferClient, log: { info: (msg: string) => void }, signal?: AbortSignal): Promise<{ epoch: string; current: EngineCurrent }> {
    let told = false;
    for (;;) {
      signal?.throwIfAborted();
      const found = await readCurrent(redis).catch(() => null);
      if (found) return found;
      if (!told) log.info('gateway: waiting for the district engine to publish its state on Redis');
      told = true;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Start reading after the state the gateway was built from (its epoch and seq), from the stream's id read BEFORE it. */
  start(from: { epoch: string; seq: number; lastId: string }): void {
    this.epoch = from.epoch;
    this.lastSeq = from.seq;
    this.lastId = from.lastId;
    this.running = true;
    this.stopped = this.loop();
  }

  static async lastId(redis: BufferClient): Promise<string> {
    const last = (await redis.xRevRange(KEYS.stream, '+', '-', { COUNT: 1 })) as unknown as Array<{ id: Buffer | string }>;
    return last.length > 0 ? text(last[0]!.id) : '0-0';
  }

  private async resync(): Promise<boolean> {
    const lastId = await EngineFeed.lastId(this.redis);
    const found = await readCurrent(this.redis);
    if (!found) return false; // Redis came back empty: the engine's next tick rewrites it
    this.lastId = lastId;
    this.epoch = found.epoch;
    this.lastSeq = found.current.seq;
    this.target.reset(found.current);
    return true;
  }

  private async loop(): Promise<void> {
    let inSync = true;
    let failing = false;
    while (this.running) {
      try {
        if (!inSync) {
          inSync = await this.resync();
          if (!inSync) {
            await new Promise((r) => setTimeout(r, 200));
            continue;
          }
        }
        const res = (await this.redis.xRead({ key: KEYS.stream, id: this.lastId }, { BLOCK: 1000, COUNT: 100 })) as unknown as Array<{ messages: Array<{ id: Buffer; message: Record<string, Buffer> }> }> | null;
        if (failing) this.log.info('gateway: reading the engine stream again');
        failing = false;
        for (const { id, message } of res?.[0]?.messages ?? []) {
          this.lastId = text(id);
          if (text(message.epoch) !== this.epoch) {
            // a restarted engine: start again from its current state
            inSync = false;
            break;
          }
          this.deliver(message);
        }
      } catch (err) {
        if (!this.running) break;
        if (!failing) this.log.warn({ err }, 'gateway: lost the engine stream (Redis); screens keep their last frame');
        failing = true;
        inSync = false;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  private deliver(message: Record<string, Buffer>): void {
    if (text(message.kind) === 'tick') {
      const m = JSON.parse(text(message.json)) as TickJson;
      if (m.seq <= this.lastSeq) return; // already in the state the gateway started from
      this.lastSeq = m.seq;
      this.target.tick({ ...m, frame: bytes(message.frame) });
    } else {
      const m = JSON.parse(text(message.json)) as CompaniesJson;
      this.target.companies(m.changes, m.events);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.stopped;
  }
}
