/**
 * Issue 9: history writes run in the writer thread, never on the event loop. While a large batch is inside its
 * transaction — here held up by another connection's write lock, so the batch cannot finish until the test lets it —
 * the server keeps ticking: a frame produced after the batch reached the writer arrives at a screen before the batch is
 * answered. On the event loop (better-sqlite3 is synchronous) the busy wait would hold every frame until the lock went.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { decodeHeader } from '@models/frame.codec.ts';
import type { SqliteHistoryRepository } from '../../server/src/history/history.repository.ts';
import { iso, liveClient, postTelemetry, rowCount, startServer, type Running } from './ingest.helpers.ts';

let server: Running;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

describe('the history writer thread', () => {
  it('should keep frames flowing to a screen while a large batch is being stored, and answer 200 once it is durable', async () => {
    const { app, url } = server;
    // The tick count when the batch's transaction begins (the wrapper sees the call; the repository does the rest).
    let seqAtWrite: number | null = null;
    const write = app.repository.write;
    app.repository.write = ((fn) => {
      seqAtWrite = app.engine.seq;
      return write.call(app.repository, fn);
    }) as typeof write;
    onTestFinished(() => void (app.repository.write = write));
    const screen = liveClient(url);
    const seqs: number[] = [];
    screen.on('metrics:frame', (f) => seqs.push(decodeHeader(new Uint8Array(f as ArrayBuffer)).seq));
    await new Promise((resolve) => screen.once('district:snapshot', resolve));

    const ids = app.district.buildings.filter((b) => b.capacityPeople > 0).map((b) => b.id);
    const t0 = Date.now() - 600_000;
    const readings = Array.from({ length: 3000 }, (_, j) => ({ kind: 'building' as const, buildingId: ids[j % ids.length]!, ts: iso(t0 + j), occupancy: (j % 100) / 100 }));
    const readingsBefore = rowCount(app, 'reading');

    // Another connection holds the database's write lock: the batch's transaction waits in the writer thread.
    const blocker = new Database(app.history!.file);
    blocker.exec('BEGIN IMMEDIATE');
    let answered = false;
    const response = postTelemetry(url, { readings }).then((r) => {
      answered = true;
      return r;
    });
    try {
      await expect.poll(() => seqAtWrite, { timeout: 10_000 }).not.toBeNull();
      await expect.poll(() => seqs.some((s) => s > seqAtWrite!), { timeout: 4_000 }).toBe(true);
      expect(answered).toBe(false);
    } finally {
      blocker.exec('COMMIT');
      blocker.close();
    }
    const res = await response;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: 3000, stored: 3000 });
    expect(rowCount(app, 'reading')).toBe(readingsBefore + 3000);
    // …and it was the writer thread's connection that stored it.
    expect((app.repository as SqliteHistoryRepository).writer?.threadId).toBeGreaterThan(0);
    screen.close();
  }, 30_000);
});
