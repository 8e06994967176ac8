/**
 * Ingest, one function for both transports (HTTP route and `/ingest` namespace): validate the whole batch, store it in
 * one transaction (raw readings, minute aggregates, newest values), and only then hand it to the district engine
 * (`EngineIngest`), which decides by precedence what becomes current; the next tick broadcasts it. A batch is all or
 * nothing, for the database and for the live state.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { CompanyState, PoolState } from '@models/api.ts';
import type { DistrictEvent } from '@models/events.ts';
import { LIVE_METRICS, type LiveMetric } from '@models/metrics.ts';
import { makeTelemetryBatchSchema, parseTelemetryBatchInTurns, READINGS_PER_TURN, type IngestAccepted, type InputIssue, type Reading, type TelemetryContext } from '@models/telemetry.ts';
import type { District } from '@models/district.ts';
import type { AppOptions } from '../config.ts';
import type { LiveState } from '../live/live.state.ts';
import { replacesCode, SOURCE_INGEST } from '../engine/precedence.ts';
import { StateIngest } from '../engine/ingest.apply.ts';
import type { EngineIngest, IngestChanges } from '../engine/engine.interface.ts';
import { minuteOf } from '../history/history.store.ts';
import type { HistoryRepository, HistoryWriteTx, ReadingRow } from '../history/history.repository.ts';

/** How far ahead of the server clock a device's timestamp may be. */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

/** 409: a reading contradicts one stored by an earlier batch (same entity, field and ts, another value). */
export type IngestOutcome = { ok: true; accepted: IngestAccepted } | { ok: false; issues: InputIssue[]; status?: 409 };
export interface AuthProblem {
  status: 401 | 503;
  error: string;
}

export const INGEST_OFF_MESSAGE =
  'ingest is off: start the server with INGEST_TOKEN set (a secret of at least 16 characters), then send it as "Authorization: Bearer <INGEST_TOKEN>" (HTTP) or auth.token (Socket.IO /ingest)';

interface PendingMetric {
  metric: LiveMetric;
  index: number;
  value: number;
  tsMs: number;
  reading: number;
}

interface MinuteSum {
  buildingId: string;
  metric: LiveMetric;
  minute: number;
  total: number;
  count: number;
}

/** Within a batch, the newest reading of a slot wins, by the engine's rule (engine/precedence.ts). */
const BATCH_RULES = { wallNowMs: 0, ingestHoldsMs: Infinity, simulatorOverridesIngest: false };
const newer = (current: { tsMs: number } | undefined, tsMs: number) => current === undefined || replacesCode(SOURCE_INGEST, current.tsMs, SOURCE_INGEST, tsMs, BATCH_RULES);

/**
 * What a batch changes, gathered while its readings are stored, written in the batch's transaction, and handed to the
 * engine only after the commit (the engine decides, by precedence, what becomes current). Numeric keys: slot =
 * building index × 2 + metric.
 */
class BatchChanges {
  readonly minutes = new Map<number, MinuteSum>();
  readonly metrics = new Map<number, PendingMetric>();
  readonly pools = new Map<string, { pool: PoolState; reading: number }>();
  readonly companies = new Map<string, { company: CompanyState; reading: number }>();

  constructor(
    private readonly district: District,
    private readonly index: ReadonlyMap<string, number>,
    private readonly engine: EngineIngest,
  ) {}

  add(r: Reading, tsMs: number, reading: number): void {
    if (r.kind === 'building') {
      const index = this.index.get(r.buildingId)!;
      // People count becomes a share of design capacity (capacityIssues refused buildings without one).
      const occupancy = r.occupancy ?? (r.peopleCount === undefined ? undefined : Math.min(r.peopleCount / this.district.buildings[index]!.capacityPeople, 1));
      if (occupancy !== undefined) this.addMetric(r.buildingId, index, 'occupancy', occupancy, tsMs, reading);
      if (r.computeLoad !== undefined) this.addMetric(r.buildingId, index, 'computeLoad', r.computeLoad, tsMs, reading);
    } else if (r.kind === 'supplier') {
      if (!newer(this.pools.get(r.supplierId)?.pool, tsMs)) return;
      const { supplierId, capacityPflops, allocatedPflops, usedPflops } = r;
      this.pools.set(supplierId, { pool: { supplierId, capacityPflops, allocatedPflops, usedPflops, tsMs, source: 'ingest' }, reading });
    } else {
      const pending = this.companies.get(r.companyId)?.company;
      if (!newer(pending, tsMs)) return;
      // A partial reading (only a headcount, say) keeps the rest of the record as it is now.
      const current = pending ?? this.engine.company(r.companyId)!;
      const company: CompanyState = {
        companyId: r.companyId,
        buildingId: r.buildingId === undefined ? current.buildingId : r.buildingId,
        headcount: r.headcount ?? current.headcount,
        registeredModels: r.registeredModels ?? current.registeredModels,
        tsMs,
        source: 'ingest',
      };
      this.companies.set(r.companyId, { company, reading });
    }
  }

  private addMetric(buildingId: string, index: number, metric: LiveMetric, value: number, tsMs: number, reading: number): void {
    const n = this.district.buildings.length;
    const slot = index * 2 + (metric === 'occupancy' ? 0 : 1);
    const minute = minuteOf(tsMs);
    const sum = this.minutes.get(minute * 2 * n + slot);
    if (sum) {
      sum.total += value;
      sum.count += 1;
    } else this.minutes.set(minute * 2 * n + slot, { buildingId, metric, minute, total: value, count: 1 });
    if (newer(this.metrics.get(slot), tsMs)) this.metrics.set(slot, { metric, index, value, tsMs, reading });
  }

  /** In the batch's transaction: one minute row per building, metric and minute (not per reading), and the newest values. */
  async save(tx: HistoryWriteTx): Promise<void> {
    await tx.addBuildingReadings([...this.minutes.values()].map((m) => ({ buildingId: m.buildingId, metric: m.metric, minute: m.minute, mean: m.total / m.count, count: m.count })));
    await tx.saveCurrent({
      buildings: [...this.metrics.values()].map((m) => ({ buildingId: this.district.buildings[m.index]!.id, metric: m.metric, value: m.value, tsMs: m.tsMs })),
      pools: [...this.pools.values()].map(({ pool }) => pool),
      companies: [...this.companies.values()].map(({ company }) => company),
    });
  }

  /** What the engine gets after the commit. */
  toEngine(): IngestChanges {
    return {
      datasetVersion: this.district.version,
      metrics: [...this.metrics.values()].map((m) => ({ buildingIndex: m.index, metric: m.metric, value: m.value, tsMs: m.tsMs, reading: m.reading })),
      pools: [...this.pools.values()],
      companies: [...this.companies.values()],
    };
  }
}

export type TelemetryServiceDeps = {
  history: HistoryRepository;
  options: Pick<AppOptions, 'ingestToken' | 'now'>;
} & (
  | {
      district: District;
      /** The district engine: where durable readings go (it decides what becomes current and publishes changes). */
      engine: EngineIngest;
    }
  | {
      /** Standalone (unit tests, bench): apply straight to this state. */
      state: LiveState;
      /** Company records changed by a batch, with the move events they caused. */
      onCompanies?: (changes: CompanyState[], events: DistrictEvent[]) => void;
    }
);

const ROLLBACK = Symbol('rollback');
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const digest = (s: string) => createHash('sha256').update(s).digest();

function tokenProblem(tokenDigest: Buffer | null, token: unknown): AuthProblem | null {
  if (!tokenDigest) return { status: 503, error: INGEST_OFF_MESSAGE };
  if (typeof token !== 'string' || token === '') return { status: 401, error: 'missing ingest token: send "Authorization: Bearer <INGEST_TOKEN>"' };
  if (!timingSafeEqual(digest(token), tokenDigest)) return { status: 401, error: 'wrong ingest token' };
  return null;
}

/** The token check alone, for a gateway that forwards batches to the engine (scale/ingest.forward.ts). */
export function ingestTokenCheck(ingestToken: string | null): (token: unknown) => AuthProblem | null {
  const tokenDigest = ingestToken ? digest(ingestToken) : null;
  return (token) => tokenProblem(tokenDigest, token);
}

/**
 * What the ingest transports (HTTP route, /ingest namespace) need: TelemetryService in one process, or a gateway's
 * forwarder to the engine across Redis (its outcome then arrives asynchronously).
 */
export interface IngestPort {
  authProblem(token: unknown): AuthProblem | null;
  /** Resolves once the batch is stored (or refused): in one process after the commit, across Redis with the engine's answer. */
  ingest(input: unknown): Promise<IngestOutcome>;
}

/** The batch's fate is unknown or it was not taken (the engine or the transport is unreachable): 503, send it again. */
export class IngestUnavailable extends Error {
  readonly statusCode = 503;
}

export class TelemetryService implements IngestPort {
  private readonly schema;
  private readonly context: TelemetryContext;
  /** Digests are compared, so both sides have the same length for timingSafeEqual. */
  private readonly tokenDigest: Buffer | null;

  private readonly district: District;
  private readonly index: ReadonlyMap<string, number>;
  private readonly engine: EngineIngest;

  constructor(private readonly deps: TelemetryServiceDeps) {
    const district = 'engine' in deps ? deps.district : deps.state.district;
    this.district = district;
    this.index = new Map(district.buildings.map((b, i) => [b.id, i]));
    this.engine = 'engine' in deps ? deps.engine : new StateIngest(deps.state, deps.options.now, deps.onCompanies);
    this.context = {
      buildingIds: new Set(district.buildings.map((b) => b.id)),
      supplierIds: new Set(district.suppliers.map((s) => s.id)),
      companyIds: new Set(district.companies.map((c) => c.id)),
      now: deps.options.now,
      maxFutureSkewMs: MAX_FUTURE_SKEW_MS,
    };
    this.schema = makeTelemetryBatchSchema(this.context);
    this.tokenDigest = deps.options.ingestToken ? digest(deps.options.ingestToken) : null;
  }

  /** Why a presented token is not accepted, or null when it is. Compared in constant time. */
  authProblem(token: unknown): AuthProblem | null {
    return tokenProblem(this.tokenDigest, token);
  }

  /** Validate, store (resolves after the commit), then hand to the engine. Batches are stored one at a time. */
  async ingest(input: unknown): Promise<IngestOutcome> {
    // A large batch is validated a slice per turn of the loop (the frame is not held for the whole batch's zod).
    const parsed = await parseTelemetryBatchInTurns(this.context, this.schema, input, nextTurn);
    if (!parsed.success) return { ok: false, issues: parsed.issues };
    const { readings } = parsed.data;
    const issues = this.capacityIssues(readings);
    if (issues.length > 0) return { ok: false, issues };

    const { history, options } = this.deps;
    const receivedMs = options.now();
    const changes = new BatchChanges(this.district, this.index, this.engine);
    let stored = 0;
    const conflicts: InputIssue[] = [];
    try {
      await history.write(async (tx) => {
        // Large batches are handled READINGS_PER_TURN readings per turn of the loop, here as in validation.
        const rows: ReadingRow[] = [];
        for (let k = 0; k < readings.length; k += READINGS_PER_TURN) {
          if (k > 0) await nextTurn();
          for (let i = k; i < Math.min(readings.length, k + READINGS_PER_TURN); i++) rows.push({ reading: readings[i]!, tsMs: Date.parse(readings[i]!.ts) });
        }
        const outcomes = await tx.insertReadings(rows, receivedMs);
        for (let i = 0; i < outcomes.length; i++) {
          if (i > 0 && i % READINGS_PER_TURN === 0) await nextTurn();
          const outcome = outcomes[i]!;
          const r = readings[i]!;
          if (outcome.status === 'conflict') {
            const said = (v: unknown) => JSON.stringify(v);
            conflicts.push({ path: `readings.${i}.${outcome.field}`, message: `${r.kind} reading at ${r.ts} already stored with ${outcome.field} ${said(outcome.stored)} by an earlier batch; this one says ${said(outcome.sent)}. A stored reading is never changed: send a new ts` });
          }
          if (outcome.status !== 'new') continue; // a duplicate (same fields, same values) is idempotent
          stored++;
          changes.add(outcome.fresh, rows[i]!.tsMs, i);
        }
        if (conflicts.length > 0) throw ROLLBACK;
        await changes.save(tx);
      });
    } catch (err) {
      if (err === ROLLBACK) return { ok: false, status: 409, issues: conflicts };
      throw err;
    }
    // Durable: only now may the engine make it current (and the next tick broadcast it).
    const { applied } = this.engine.applyIngest(changes.toEngine());
    return { ok: true, accepted: { received: readings.length, stored, applied } };
  }

  /** Occupancy is a share of design capacity: a building without one has no occupancy to report. */
  private capacityIssues(readings: readonly Reading[]): InputIssue[] {
    const issues: InputIssue[] = [];
    readings.forEach((r, i) => {
      if (r.kind !== 'building' || (r.occupancy === undefined && r.peopleCount === undefined)) return;
      if (this.district.buildings[this.index.get(r.buildingId)!]!.capacityPeople === 0) {
        const field = r.occupancy !== undefined ? 'occupancy' : 'peopleCount';
        issues.push({ path: `readings.${i}.${field}`, message: `building "${r.buildingId}" has no people capacity, so occupancy does not apply to it` });
      }
    });
    return issues;
  }
}

/** Put the newest ingested values back into a fresh live state (before the first tick, so the simulator respects them). */
export async function restoreIngested(history: HistoryRepository, state: LiveState): Promise<void> {
  const { buildings, pools, companies } = await history.current();
  for (const row of buildings) {
    const index = state.index.get(row.building_id);
    const metric = LIVE_METRICS[row.metric];
    if (index !== undefined && metric) state.restore(metric, index, row.value, row.ts_ms, SOURCE_INGEST);
  }
  const supplierIds = new Set(state.district.suppliers.map((s) => s.id));
  for (const p of pools) {
    if (!supplierIds.has(p.supplier_id)) continue;
    state.offerPool({ supplierId: p.supplier_id, capacityPflops: p.capacity_pflops, allocatedPflops: p.allocated_pflops, usedPflops: p.used_pflops, tsMs: p.ts_ms, source: 'ingest' }, p.ts_ms);
  }
  for (const c of companies) {
    const known = state.companies.get(c.company_id);
    if (!known) continue;
    // A building that left the data set since: keep the data set's answer rather than invent a move-out.
    const buildingId = c.building_id !== null && !state.index.has(c.building_id) ? known.buildingId : c.building_id;
    state.offerCompany({ companyId: c.company_id, buildingId, headcount: c.headcount, registeredModels: c.registered_models, tsMs: c.ts_ms, source: 'ingest' }, c.ts_ms);
  }
}
