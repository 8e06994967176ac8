/**
 * The health verdict follows every kind of history write: ingest batches, sampled minutes and retention's prune batches.
 * A storage failure in any of them makes `/healthz` say degraded (with the code and when it began); the next successful
 * write of any kind makes it ok again. A failure that is not the storage's (a bug) does not.
 */
import { describe, expect, it } from 'vitest';
import type { HistoryRepository } from '../../server/src/history/history.repository.ts';
import { HealthTracker } from '../../server/src/ops/health.ts';

function storageError(code: string): Error & { code: string } {
  return Object.assign(new Error(`${code} simulated`), { code });
}

/** Only the three write methods the tracker observes; each answers what the test sets next. */
function fakeRepository() {
  let next: Error | null = null;
  const answer = async <T>(value: T): Promise<T> => {
    const err = next;
    next = null;
    if (err) throw err;
    return value;
  };
  const repo = {
    write: () => answer(undefined),
    writeSampledMinute: () => answer(undefined),
    pruneBatch: () => answer(0),
  } as unknown as HistoryRepository;
  return { repo, failNext: (err: Error) => void (next = err) };
}

describe('HealthTracker', () => {
  it('should say degraded when a retention batch meets a storage failure, and ok after the next successful write', async () => {
    const t0 = Date.parse('2026-11-29T15:00:00Z');
    const health = new HealthTracker(() => t0);
    const { repo, failNext } = fakeRepository();
    health.watchHistory(repo);
    expect(health.verdict()).toEqual({ status: 'ok', reasons: [] });

    failNext(storageError('SQLITE_FULL'));
    await expect(repo.pruneBatch(0, 10)).rejects.toThrow('SQLITE_FULL');
    const v = health.verdict();
    expect(v.status).toBe('degraded');
    expect(v.reasons[0]).toContain('history cannot be written since 2026-11-29T15:00:00.000Z (SQLITE_FULL');

    await repo.writeSampledMinute(...([] as unknown as Parameters<HistoryRepository["writeSampledMinute"]>));
    expect(health.verdict()).toEqual({ status: 'ok', reasons: [] });
  });

  it('should not call a bug in the caller a storage failure', async () => {
    const health = new HealthTracker(() => 0);
    const { repo, failNext } = fakeRepository();
    health.watchHistory(repo);
    failNext(new TypeError('cannot read properties of undefined'));
    await expect(repo.pruneBatch(0, 10)).rejects.toThrow(TypeError);
    expect(health.verdict().status).toBe('ok');
  });
});
