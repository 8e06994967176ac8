/**
 * Operations metrics in the Prometheus format (prom-client), served at GET /metrics. One registry per process; the
 * few calls other modules make are one line each:
 *
 *   metrics.observeTick(() => this.tick(), () => clients)   district engine: tick duration, frames broadcast and deliveries
 *   metrics.historyWrite.observe(seconds)                     history write time (ops/health.ts times every transaction)
 *   metrics.ingestHttpResponse / ingestSocketAck / ingestRefused / ingestAccepted   ingest outcomes by reason
 *
 * Gauges that read the running app (screens, sessions, database size) ask the sources each app registers.
 */
import fs from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Ack } from '@models/api.ts';
import type { IngestAccepted } from '@models/telemetry.ts';

export interface MetricSources {
  /** Live screens connected to the main namespace. */
  screens(): number;
  /** Engine.IO sessions (screens and devices, any namespace). */
  sessions(): number;
  /** Database files whose size is reported (the database, its WAL). */
  databaseFiles(): string[];
  /** Frames a WebSocket screen skipped so far because it was still busy with the previous one (volatile). */
  framesSkipped(): number;
}

export type IngestTransport = 'http' | 'socket';

const fileSize = (f: string): number => {
  try {
    return fs.statSync(f).size;
  } catch {
    return 0;
  }
};

class Metrics {
  readonly registry = new Registry();
  private readonly sources = new Set<MetricSources>();
  private readonly httpReasons = new WeakMap<object, string>();
  private readonly sum = (f: (s: MetricSources) => number) => [...this.sources].reduce((a, s) => a + f(s), 0);

  readonly tickDuration = new Histogram({
    name: 'wbt_tick_duration_seconds',
    help: 'Time to advance the state, encode the frame and fan it out, per tick',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  readonly framesBroadcast = new Counter({ name: 'wbt_frames_broadcast_total', help: 'Live frames broadcast (one per tick)', registers: [this.registry] });
  readonly frameDeliveries = new Counter({
    name: 'wbt_frame_deliveries_total',
    help: 'Live frames handed to connected screens (frames × screens at each tick; volatile, so a busy screen may skip one)',
    registers: [this.registry],
  });
  readonly tickErrors = new Counter({ name: 'wbt_tick_errors_total', help: 'Ticks that failed', registers: [this.registry] });
  readonly ingestBatches = new Counter({
    name: 'wbt_ingest_batches_total',
    help: 'Ingest requests (HTTP) and batches (/ingest socket) by outcome: accepted or the reason they were refused',
    labelNames: ['transport', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly ingestReadings = new Counter({
    name: 'wbt_ingest_readings_total',
    help: 'Readings in accepted batches: stored (new) or duplicate (stored before)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly sessionsRefused = new Counter({
    name: 'wbt_sessions_refused_total',
    help: 'Engine.IO handshakes refused: origin, address (MAX_SESSIONS_PER_ADDRESS) or total (MAX_SESSIONS)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly historyWrite = new Histogram({
    name: 'wbt_history_write_seconds',
    help: 'Time of each history write transaction (ingest batch, sampled minute or retention batch), including the commit',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly historyWriteErrors = new Counter({ name: 'wbt_history_write_errors_total', help: 'History writes that failed', registers: [this.registry] });

  constructor() {
    const sum = this.sum;
    new Gauge({ name: 'wbt_screens_connected', help: 'Live screens connected', registers: [this.registry], collect() { this.set(sum((s) => s.screens())); } });
    new Gauge({ name: 'wbt_engine_sessions', help: 'Engine.IO sessions open (screens and devices)', registers: [this.registry], collect() { this.set(sum((s) => s.sessions())); } });
    new Counter({
      name: 'wbt_frames_skipped_total',
      help: 'Live frames a screen skipped because its connection was still busy with the previous one (volatile: it gets the next)',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(sum((s) => s.framesSkipped()));
      },
    });
    new Gauge({
      name: 'wbt_database_bytes',
      help: 'Size of the history database on disk, WAL included',
      registers: [this.registry],
      collect() { this.set(sum((s) => s.databaseFiles().reduce((a, f) => a + fileSize(f), 0))); },
    });
    // process CPU, memory, heap, GC, and nodejs_eventloop_lag_* (event-loop lag)
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
  }

  /** An app's live readings; returns a function that removes them (on close). */
  addSources(sources: MetricSources): () => void {
    this.sources.add(sources);
    return () => this.sources.delete(sources);
  }

  /** Run one tick, timing it; a tick that throws is counted as an error and rethrown. */
  observeTick(tick: () => void, screens: () => number): void {
    const end = this.tickDuration.startTimer();
    try {
      tick();
    } catch (err) {
      this.tickErrors.inc();
      throw err;
    } finally {
      end();
    }
    this.framesBroadcast.inc();
    this.frameDeliveries.inc(screens());
  }

  /** Why an HTTP ingest request was refused before its handler ran (ingestHttpResponse reads it). */
  ingestReason(req: FastifyRequest, reason: string): void {
    this.httpReasons.set(req, reason);
  }

  /** Fastify onResponse hook for the ingest route. */
  readonly ingestHttpResponse = (req: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const s = reply.statusCode;
    const outcome =
      this.httpReasons.get(req) ??
      (s < 300 ? 'accepted' : s === 400 ? 'invalid' : s === 401 ? 'unauthorized' : s === 408 ? 'timeout' : s === 413 ? 'too_large' : s === 415 ? 'unsupported_type' : s === 429 ? 'rate_limited' : s === 503 ? 'off' : 'error');
    this.ingestBatches.inc({ transport: 'http', outcome });
    done();
  };

  ingestRefused(transport: IngestTransport, reason: string): void {
    this.ingestBatches.inc({ transport, outcome: reason });
  }

  /** Outcome of one /ingest batch, from its ack (refusals by rate are counted by ingestRefused). */
  ingestSocketAck(res: Ack<IngestAccepted>): void {
    if (res.ok) {
      this.ingestBatches.inc({ transport: 'socket', outcome: 'accepted' });
      this.ingestAccepted(res.data);
    } else this.ingestBatches.inc({ transport: 'socket', outcome: res.issues ? 'invalid' : 'error' });
  }

  ingestAccepted(a: IngestAccepted): void {
    this.ingestReadings.inc({ outcome: 'stored' }, a.stored);
    this.ingestReadings.inc({ outcome: 'duplicate' }, a.received - a.stored);
  }
}

export const metrics = new Metrics();
