/**
 * The presenter groups in Redis, shared by every gateway (ROLE=gateway); ROLE=all keeps them in its process
 * (MemoryGroups in briefing.groups.ts). Same steps, same answers: only where the record lives differs.
 *
 *   twin:briefing:group:<CODE>   hash {rev, doc}: doc = the GroupRecord as JSON (state, screens, each member's gateway);
 *                                PEXPIRE GROUP_TTL_MS on every write and on every heartbeat of a gateway with members
 *                                in it, so an abandoned group (its gateways gone) expires by itself
 *   twin:briefing:alive:<gw>     one per gateway process, SET PX ALIVE_TTL_MS every SWEEP_MS
 *
 * A change is optimistic and atomic: read {rev, doc}, run the step in TypeScript, then a Lua script writes the new doc
 * only if rev is still the one read (else read again and retry). Two remotes asking for control on two gateways: one
 * write wins, the other step re-runs on the winner's record and is refused `busy`, exactly as in one process.
 *
 * A member whose gateway stopped beating (killed) is dropped by the next step on the group, or by a surviving
 * gateway's sweep every SWEEP_MS: if it held control, the group's presenter timeout starts as if it had left.
 */
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../scale/redis.transport.ts';
import { SWEEP_MS, type GroupBackend, type GroupRecord, type Step } from './briefing.groups.ts';

export const BRIEFING_KEYS = {
  group: (code: string) => `twin:briefing:group:${code}`,
  alive: (gatewayId: string) => `twin:briefing:alive:${gatewayId}`,
} as const;

/** A group nobody's gateway has touched for this long is gone (its screens, if any, start a new one on rejoin). */
export const GROUP_TTL_MS = 10 * 60_000;
/** Three missed heartbeats and a gateway's members count as gone. */
export const ALIVE_TTL_MS = 3 * SWEEP_MS;
const MAX_ATTEMPTS = 50;

/**
 * KEYS[1] group, KEYS[2] the writer's alive key; ARGV: rev read ('' = none), new doc ('' = delete), new rev, group ttl
 * ms, alive ttl ms. Returns 1 if written, 0 if rev moved. Writing also beats for the writer, so a member it has just
 * added is never taken for one of a dead gateway (after Redis restarted empty, say, before its next heartbeat).
 */
const COMPARE_AND_SET = `
local rev = redis.call('HGET', KEYS[1], 'rev')
if (rev or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], '1', 'PX', ARGV[5])
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], 'rev', ARGV[3], 'doc', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return 1`;

export class RedisGroups implements GroupBackend {
  readonly gatewayId = randomUUID();
  readonly shared = true;

  constructor(private readonly redis: RedisClient) {}

  /** Say this gateway is alive before any of its sockets joins a group. */
  async start(): Promise<void> {
    await this.redis.set(BRIEFING_KEYS.alive(this.gatewayId), '1', { PX: ALIVE_TTL_MS });
  }

  async heartbeat(codes: string[]): Promise<void> {
    const m = this.redis.multi().set(BRIEFING_KEYS.alive(this.gatewayId), '1', { PX: ALIVE_TTL_MS });
    for (const code of codes) m.pExpire(BRIEFING_KEYS.group(code), GROUP_TTL_MS);
    await m.exec();
  }

  async update<T>(code: string, step: (rec: GroupRecord | null, alive: (gatewayId: string) => boolean) => Step<T>): Promise<T> {
    const key = BRIEFING_KEYS.group(code);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const h = (await this.redis.hGetAll(key)) as Record<string, string>;
      const rev = h.rev ?? '';
      const stored = h.doc ?? '';
      const rec = stored ? (JSON.parse(stored) as GroupRecord) : null;
      const others = rec ? [...new Set(Object.values(rec.homes))].filter((g) => g !== this.gatewayId) : [];
      const beats = others.length > 0 ? await this.redis.mGet(others.map((g) => BRIEFING_KEYS.alive(g))) : [];
      const dead = new Set(others.filter((_, i) => beats[i] === null));
      const { rec: next, value } = step(rec, (g) => !dead.has(g));
      const doc = next ? JSON.stringify(next) : '';
      if (doc === stored) return value; // nothing changed (a read, or a refusal)
      const written = await this.redis.eval(COMPARE_AND_SET, { keys: [key, BRIEFING_KEYS.alive(this.gatewayId)], arguments: [rev, doc, randomUUID(), String(GROUP_TTL_MS), String(ALIVE_TTL_MS)] });
      if (written === 1) return value;
      // another gateway changed the group in between: run the step again on what it wrote
    }
    throw new Error(`briefing: group ${code} kept changing under ${MAX_ATTEMPTS} attempts; try again`);
  }

  /** Leaving: the other gateways drop this one's members at once rather than after ALIVE_TTL_MS. */
  close(): void {
    void this.redis.del(BRIEFING_KEYS.alive(this.gatewayId)).catch(() => {});
  }
}
