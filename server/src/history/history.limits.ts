/**
 * Token buckets for history reads: one per socket and one per client address (shared by HTTP and sockets), checked
 * before a request is parsed, so a flood costs the server a map lookup per message and nothing more.
 */
export interface HistoryReadLimits {
  /** Reader threads, each with its own read-only connection. */
  threads: number;
  /** Reads in flight or waiting over all clients; more are refused (429 / ack error) with a retry time. */
  maxQueued: number;
  /** Per socket: reads per second, and the burst a socket may spend at once. Per address: four times both. */
  perSecond: number;
  burst: number;
}

export const DEFAULT_HISTORY_READ_LIMITS: HistoryReadLimits = { threads: 1, maxQueued: 32, perSecond: 10, burst: 20 };

export type Take = { ok: true } | { ok: false; retryAfterS: number };

interface Bucket {
  tokens: number;
  atMs: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweepMs = 0;

  constructor(
    /** Tokens a client may spend at once. */
    readonly burst: number,
    /** Tokens added per second. */
    readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string, cost = 1): Take {
    const t = this.now();
    this.sweep(t);
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = { tokens: this.burst, atMs: t }));
    else {
      b.tokens = Math.min(this.burst, b.tokens + ((t - b.atMs) / 1000) * this.perSecond);
      b.atMs = t;
    }
    if (b.tokens >= cost) {
      b.tokens -= cost;
      return { ok: true };
    }
    return { ok: false, retryAfterS: Math.max(1, Math.ceil((cost - b.tokens) / this.perSecond)) };
  }

  forget(key: string): void {
    this.buckets.delete(key);
  }

  /** Drop buckets that have refilled completely (they are the same as no bucket), so the map stays small. */
  private sweep(t: number): void {
    const fullAfterMs = (this.burst / this.perSecond) * 1000;
    if (t - this.lastSweepMs < fullAfterMs) return;
    this.lastSweepMs = t;
    for (const [key, b] of this.buckets) if (t - b.atMs >= fullAfterMs) this.buckets.delete(key);
  }
}
