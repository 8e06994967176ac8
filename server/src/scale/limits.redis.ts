/**
 * The ingest limits shared by every gateway (ROLE=gateway): the per-client ingest budget (INGEST_RATE_LIMIT) and the
 * wrong-token lockout per address (AUTH_FAILURES_PER_MINUTE) counted in Redis, so a client spread over N gateways gets
 * one budget and one lockout, not N. The admission logic, messages and Retry-After are security/ingestLimits.ts's own
 * (`IngestLimits`); only where the counts live differs (`MinuteCounter`).
 *
 * Window semantics, the same as the in-memory `MinuteWindow`: a key's window starts at its first count and lasts 60 s
 * (the key's PEXPIRE, set by the count that creates it); at most `max` counts fit; a refused `take` counts nothing;
 * Retry-After is the key's remaining time (PTTL) in whole seconds, at least 1. Each operation is one Lua script (EVAL),
 * so the check and the count are atomic across gateways and a key never outlives its window. The window runs on Redis's
 * clock, one clock for every gateway. Keys: `twin:limit:auth:<address>` and `twin:limit:budget:<address>`.
 *
 * While Redis is unreachable (or does not answer within LIMITS_TIMEOUT_MS) a gateway decides from its OWN counts, which
 * it keeps beside Redis's at all times (everything it admitted or saw refused as a wrong token in the last minute), and
 * logs once per outage that it does. So the limits never fail open: an address locked out through this gateway stays
 * locked out, and at worst a client gets one budget per gateway, as before sharing. Ingest itself is answered 503 in that
 * time anyway (the batch cannot reach the engine: scale/ingest.forward.ts). A Redis that comes back empty starts every
 * window afresh.
 */
import type { AppOptions } from '../config.ts';
import { IngestLimits, MinuteWindow, retryAfterSeconds, WINDOW_MS, type MinuteCounter } from '../security/ingestLimits.ts';
import type { RedisClient } from './redis.transport.ts';

/** One key per client whichever way a gateway listens: a dual-stack socket sees an IPv4 client as ::ffff:a.b.c.d. */
export const LIMIT_KEY = (counter: 'auth' | 'budget', address: string) => `twin:limit:${counter}:${address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '')}`;

/** How long a gateway waits for Redis before it decides from its own counts (commands fail at once while disconnected). */
export const LIMITS_TIMEOUT_MS = 2000;

// KEYS[1] the key; ARGV[1] max, ARGV[2] the window in ms. Returns 0 when counted, else the ms left in the window.
const TAKE = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then
  local left = redis.call('PTTL', KEYS[1])
  if left < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); left = tonumber(ARGV[2]) end
  return math.max(left, 1)
end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

// KEYS[1] the key; ARGV[1] max. Returns 0 while the window has room, else the ms left in it. Counts nothing.
const BLOCKED = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n < tonumber(ARGV[1]) then return 0 end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then return 0 end
return math.max(left, 1)`;

// KEYS[1] the key; ARGV[1] the window in ms. Counts one regardless.
const ADD = `
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 0`;

/** One report per outage, shared by both counters of a gateway. */
class Link {
  private failing = false;
  constructor(private readonly log: { warn: (obj: object, msg: string) => void; info: (msg: string) => void }) {}

  up(): void {
    if (this.failing) this.log.info('ingest limits: counting in Redis again, shared by every gateway');
    this.failing = false;
  }

  down(err: unknown): void {
    if (!this.failing) this.log.warn({ err }, 'ingest limits: Redis unreachable; this gateway decides the ingest budget and the wrong-token lockout from its own counts of the last minute until it is back');
    this.failing = true;
  }
}

/** A MinuteCounter in Redis, with this gateway's own count beside it to fall back on. */
export class RedisMinuteCounter implements MinuteCounter {
  private readonly local: MinuteWindow;

  constructor(
    private readonly redis: RedisClient,
    private readonly name: 'auth' | 'budget',
    readonly max: number,
    private readonly link: Link,
    now: () => number,
  ) {
    this.local = new MinuteWindow(max, now);
  }

  private async run(script: string, address: string, args: number[]): Promise<number> {
    const reply = await this.redis.withCommandOptions({ timeout: LIMITS_TIMEOUT_MS }).eval(script, { keys: [LIMIT_KEY(this.name, address)], arguments: args.map(String) });
    this.link.up();
    return Number(reply);
  }

  async blocked(key: string): Promise<number> {
    try {
      const leftMs = await this.run(BLOCKED, key, [this.max]);
      return leftMs > 0 ? retryAfterSeconds(leftMs) : 0;
    } catch (err) {
      this.link.down(err);
      return this.local.blocked(key);
    }
  }

  async take(key: string): Promise<number> {
    try {
      const leftMs = await this.run(TAKE, key, [this.max, WINDOW_MS]);
      if (leftMs > 0) return retryAfterSeconds(leftMs);
      this.local.add(key);
      return 0;
    } catch (err) {
      this.link.down(err);
      return this.local.take(key);
    }
  }

  async add(key: string): Promise<void> {
    this.local.add(key);
    try {
      await this.run(ADD, key, [WINDOW_MS]);
    } catch (err) {
      this.link.down(err);
    }
  }
}

/** The gateway's IngestLimits: the same admission as in one process, counted in Redis. */
export function sharedIngestLimits(redis: RedisClient, options: AppOptions, log: { warn: (obj: object, msg: string) => void; info: (msg: string) => void }): IngestLimits {
  const link = new Link(log);
  const opts = { authFailuresPerMinute: options.limits.authFailuresPerMinute, perMinute: options.ingestRateLimit, now: options.now };
  return new IngestLimits(opts, {
    failures: new RedisMinuteCounter(redis, 'auth', opts.authFailuresPerMinute, link, options.now),
    budget: new RedisMinuteCounter(redis, 'budget', opts.perMinute, link, options.now),
  });
}
