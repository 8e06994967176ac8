/**
 * Ingest admission, shared by both transports (POST /api/v1/telemetry and the /ingest namespace):
 *
 * - Token guessing: wrong tokens are counted per client address; past AUTH_FAILURES_PER_MINUTE in a minute, every ingest
 *   attempt from that address (right token or wrong, HTTP or socket) is refused with 429 until the minute is over, so a
 *   guess cannot even be checked. Requests with no token at all are answered 401 and not counted: they guess nothing.
 * - Budget: INGEST_RATE_LIMIT requests or batches per minute per client, ONE budget for both transports, counted only
 *   AFTER the token is accepted, so an unauthenticated neighbour on the same address cannot spend a device's budget.
 *   There is one ingest token, so the token says nothing about which device sent it: the budget is keyed by the client
 *   address of authenticated requests (no proxy headers are trusted).
 *
 * Where the counts live is behind `MinuteCounter`: in this process (`MinuteWindow`, ROLE=all) or in Redis, shared by
 * every gateway (scale/limits.redis.ts, ROLE=gateway). The callers (the HTTP route and the /ingest namespace) see one
 * `IngestLimits` with the same answers, messages and Retry-After either way.
 */

/**
 * Fixed one-minute windows per key. A key's window starts at its first count and lasts 60 s; `max` counts fit in it.
 * Async where the counts live elsewhere (Redis), plain numbers in memory.
 */
export interface MinuteCounter {
  readonly max: number;
  /** Seconds until the key may go again when its window is used up, else 0 (counts nothing). */
  blocked(key: string): number | Promise<number>;
  /** Count one; seconds to wait when over the limit (then nothing was counted), else 0. */
  take(key: string): number | Promise<number>;
  /** Count one regardless. */
  add(key: string): void | Promise<void>;
}

export const WINDOW_MS = 60_000;

/** Seconds a client is told to wait for `remainingMs` of its window: whole seconds, at least 1 (as Retry-After). */
export const retryAfterSeconds = (remainingMs: number) => Math.max(1, Math.ceil(remainingMs / 1000));

/** Fixed one-minute windows per key; finished windows are forgotten so the map does not grow with every address seen. */
export class MinuteWindow implements MinuteCounter {
  private readonly counts = new Map<string, { windowStartMs: number; count: number }>();
  constructor(
    readonly max: number,
    private readonly now: () => number,
  ) {}

  private window(key: string): { windowStartMs: number; count: number } {
    const now = this.now();
    let w = this.counts.get(key);
    if (!w || now - w.windowStartMs >= WINDOW_MS) {
      for (const [k, v] of this.counts) if (now - v.windowStartMs >= WINDOW_MS) this.counts.delete(k);
      w = { windowStartMs: now, count: 0 };
      this.counts.set(key, w);
    }
    return w;
  }

  private retryAfterS(w: { windowStartMs: number }): number {
    return retryAfterSeconds(w.windowStartMs + WINDOW_MS - this.now());
  }

  /** Seconds until the key may go again when its window is used up, else 0 (counts nothing). */
  blocked(key: string): number {
    const w = this.counts.get(key);
    if (!w || this.now() - w.windowStartMs >= WINDOW_MS || w.count < this.max) return 0;
    return this.retryAfterS(w);
  }

  /** Count one; seconds to wait when over the limit (then nothing was counted), else 0. */
  take(key: string): number {
    const w = this.window(key);
    if (w.count >= this.max) return this.retryAfterS(w);
    w.count++;
    return 0;
  }

  /** Count one regardless. */
  add(key: string): void {
    this.window(key).count++;
  }
}

export interface AuthProblemLike {
  status: 401 | 503;
  error: string;
}

export type Admission = { ok: true } | { ok: false; status: 401 | 429 | 503; error: string; retryAfterS?: number; reason: 'unauthorized' | 'auth_locked' | 'rate_limited' | 'off' };

export class IngestLimits {
  private readonly failures: MinuteCounter;
  private readonly budget: MinuteCounter;

  /** In memory unless `counters` say where else to count (the wrong-token failures per address, the budget per client). */
  constructor(
    private readonly opts: { authFailuresPerMinute: number; perMinute: number; now: () => number },
    counters?: { failures: MinuteCounter; budget: MinuteCounter },
  ) {
    this.failures = counters?.failures ?? new MinuteWindow(opts.authFailuresPerMinute, opts.now);
    this.budget = counters?.budget ?? new MinuteWindow(opts.perMinute, opts.now);
  }

  /**
   * Authentication, then the budget. `authProblem` is TelemetryService.authProblem; it is not even called while the
   * address is locked out.
   */
  async admitToken(address: string, token: unknown, authProblem: (token: unknown) => AuthProblemLike | null): Promise<Admission> {
    const locked = await this.failures.blocked(address);
    if (locked > 0) {
      return { ok: false, status: 429, reason: 'auth_locked', retryAfterS: locked, error: `too many wrong ingest tokens from ${address}: at most ${this.opts.authFailuresPerMinute} per minute; retry in ${locked} s` };
    }
    const problem = authProblem(token);
    if (problem) {
      // a presented but wrong token is a guess; a missing one (or ingest switched off) is not
      if (problem.status === 401 && typeof token === 'string' && token !== '') await this.failures.add(address);
      return { ok: false, status: problem.status, reason: problem.status === 503 ? 'off' : 'unauthorized', error: problem.error };
    }
    return { ok: true };
  }

  /** An HTTP request: its token, then (only when accepted) one from the budget. */
  async admitRequest(address: string, token: unknown, authProblem: (token: unknown) => AuthProblemLike | null): Promise<Admission> {
    const auth = await this.admitToken(address, token, authProblem);
    return auth.ok ? this.takeBudget(address) : auth;
  }

  /** One request or batch from an authenticated client: the shared per-minute budget. */
  async takeBudget(address: string): Promise<Admission> {
    const retryAfterS = await this.budget.take(address);
    if (retryAfterS === 0) return { ok: true };
    return { ok: false, status: 429, reason: 'rate_limited', retryAfterS, error: `too many ingest batches: at most ${this.opts.perMinute} per minute per client (HTTP requests and /ingest batches count together); retry in ${retryAfterS} s` };
  }
}
