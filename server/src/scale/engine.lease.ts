/**
 * One writer among several engine processes (ROLE=engine): whoever holds the lease `twin:engine:lease` in Redis runs
 * the district; the others stand by and take over when it lapses (the holder killed, its machine gone).
 *
 *   acquire   SET twin:engine:lease <id> NX PX <ENGINE_LEASE_MS>          tried every ENGINE_LEASE_MS / 4 by a standby
 *   renew     Lua: PEXPIRE if the value is still <id>; SET NX if the key is gone (Redis restarted empty); else lost
 *             every ENGINE_LEASE_MS / 4 by the holder
 *   release   Lua: DEL if the value is still <id>                           on a clean shutdown, so a standby starts now
 *
 * Fencing: a holder that cannot confirm its lease for a whole lease period (Redis unreachable), or finds another id in
 * it, stops writing (`onLost`: the engine stops ticking and stands by again, scale/roles.ts). A standby that acquires
 * waits one renewal period before it starts, so a holder that lost the key (a Redis restarted empty that a standby won
 * the race for) has seen that and stopped: two engines never write at once for longer than the lease's clock drift.
 */
import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis.transport.ts';

export const LEASE_KEY = 'twin:engine:lease';

const RENEW = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if not v then
  if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
end
return -1`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface LeaseLog {
  info(msg: string): void;
  warn(obj: object, msg: string): void;
  error(msg: string): void;
}

export class EngineLease {
  readonly id = randomUUID();
  private held = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  /** Wall time of the last renewal Redis confirmed. */
  private confirmedAt = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly leaseMs: number,
    private readonly log: LeaseLog,
    private readonly now: () => number = Date.now,
  ) {}

  get holding(): boolean {
    return this.held;
  }

  private get period(): number {
    return Math.max(50, Math.floor(this.leaseMs / 4));
  }

  /**
   * Resolves once this process holds the lease and a renewal period has passed (see Fencing above), or with false if
   * `stop()` was called first. A standby logs once that it waits.
   */
  async acquire(): Promise<boolean> {
    let waiting = false;
    while (!this.stopped) {
      let got = false;
      try {
        got = (await this.redis.withCommandOptions({ timeout: this.period }).set(LEASE_KEY, this.id, { NX: true, PX: this.leaseMs })) === 'OK';
      } catch {
        // Redis unreachable: nobody can take the lease; try again
      }
      if (got) {
        this.held = true;
        this.confirmedAt = this.now();
        if (waiting) {
          this.log.info('engine: the lease lapsed; taking over as the district engine');
          await sleep(this.period);
        }
        return !this.stopped;
      }
      if (!waiting) this.log.info(`engine: standing by (another engine holds ${LEASE_KEY}); taking over within ${this.leaseMs} ms of it stopping`);
      waiting = true;
      await sleep(this.period);
    }
    return false;
  }

  /** Renew the lease every period while held; `onLost` is called once if it cannot be kept. */
  keep(onLost: (why: string) => void): void {
    const tick = async () => {
      if (this.stopped || !this.held) return;
      let result: number | null = null;
      try {
        result = Number(await this.redis.withCommandOptions({ timeout: this.period }).eval(RENEW, { keys: [LEASE_KEY], arguments: [this.id, String(this.leaseMs)] }));
      } catch (err) {
        this.log.warn({ err }, 'engine: could not renew the lease (Redis)');
      }
      if (this.stopped) return;
      if (result === 1) this.confirmedAt = this.now();
      else if (result === -1) return this.lose(onLost, 'another engine holds the lease');
      // unconfirmed for a whole lease: a standby may have it by now
      if (this.now() - this.confirmedAt >= this.leaseMs) return this.lose(onLost, `the lease could not be renewed for ${this.leaseMs} ms`);
      this.timer = setTimeout(() => void tick(), this.period);
    };
    this.timer = setTimeout(() => void tick(), this.period);
  }

  private lose(onLost: (why: string) => void, why: string): void {
    this.held = false;
    this.log.error(`engine: lost the lease (${why}); stopping so that only one engine writes`);
    onLost(why);
  }

  /** Stop renewing and give the lease up if still held, so a standby takes over at once. */
  async release(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (!this.held) return;
    this.held = false;
    try {
      await this.redis.eval(RELEASE, { keys: [LEASE_KEY], arguments: [this.id] });
    } catch {
      // Redis unreachable: the lease lapses by itself
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
