/**
 * Ingest, one function for both transports (HTTP route and `/ingest` namespace): validate the whole batch, store it in
 * one transaction (raw readings, minute aggregates, newest values), and only then apply it to the live state, which
 * the next tick broadcasts. A batch is all or nothing, for the database and for the live state.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { CompanyState, PoolState } from '@models/api.ts';
import type { DistrictEvent } from '@models/events.ts';
import { LIVE_METRICS, type LiveMetric } from '@models/metrics.ts';
import { makeTelemetryBatchSchema, toInputIssues, type IngestAccepted, type InputIssue, type Reading } from '@models/telemetry.ts';
import type { AppOptions } from '../config.ts';
import { SOURCE_INGEST, type LiveState } from '../live/live.state.ts';
import { minuteOf, type HistoryStore } from '../history/history.store.ts';

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

/**
 * What a batch changes, gathered while its readings are stored, written in the batch's transaction, and applied to
 * the live state only after the commit. Numeric keys: slot = building index × 2 + metric.
 */
class BatchChanges {
  readonly minutes = new Map<number, MinuteSum>();
  readonly metrics = new Map<number, PendingMetric>();
  readonly pools = new Map<string, { pool: PoolState; reading: number }>();
  readonly companies = new Map<string, { company: CompanyState; reading: number }>();

  constructor(private readonly state: LiveState) {}

  add(r: Reading, tsMs: number, reading: number): void {
    const { state } = this;
    if (r.kind === 'building') {
      const index = state.index.get(r.buildingId)!;
      // People count becomes a share of design capacity (capacityIssues refused buildings without one).
      const occupancy = r.occupancy ?? (r.peopleCount === undefined ? undefined : Math.min(r.peopleCount / state.district.buildings[index]!.capacityPeople, 1));
      if (occupancy !== undefined) this.addMetric(r.buildingId, index, 'occupancy', occupancy, tsMs, reading);
      if (r.computeLoad !== undefined) this.addMetric(r.buildingId, index, 'computeLoad', r.computeLoad, tsMs, reading);
    } else if (r.kind === 'supplier') {
      const current = this.pools.get(r.supplierId)?.pool ?? state.pools.get(r.supplierId);
      if (current?.source === 'ingest' && current.tsMs > tsMs) return;
      const { supplierId, capacityPflops, allocatedPflops, usedPflops } = r;
      this.pools.set(supplierId, { pool: { supplierId, capacityPflops, allocatedPflops, usedPflops, tsMs, source: 'ingest' }, reading });
    } else {
      const current = this.companies.get(r.companyId)?.company ?? state.companies.get(r.companyId)!;
      if (current.source === 'ingest' && current.tsMs > tsMs) return;
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
    const slot = index * 2 + (metric === 'occupancy' ? 0 : 1);
    const minute = minuteOf(tsMs);
    const sum = this.minutes.get(minute * 2 * this.state.n + slot);
    if (sum) {
      sum.total += value;
      sum.count += 1;
    } else this.minutes.set(minute * 2 * this.state.n + slot, { buildingId, metric, minute, total: value, count: 1 });
    // As LiveState.setIngested decides: an older ingest value never replaces a newer one.
    const col = this.state.metrics[metric];
    const currentTs = this.metrics.get(slot)?.tsMs ?? (col.source[index] === SOURCE_INGEST ? col.ts[index]! : -Infinity);
    if (tsMs >= currentTs) this.metrics.set(slot, { metric, index, value, tsMs, reading });
  }

  /** In the batch's transaction: one minute row per building, metric and minute (not per reading), and the newest values. */
  save(history: HistoryStore): void {
    for (const m of this.minutes.values()) history.addBuildingReadings(m.buildingId, m.metric, m.minute, m.total / m.count, m.count);
    for (const m of this.metrics.values()) history.saveCurrentBuilding(this.state.district.buildings[m.index]!.id, m.metric, m.value, m.tsMs);
    for (const { pool } of this.pools.values()) history.saveCurrentPool(pool);
    for (const { company } of this.companies.values()) history.saveCurrentCompany(company);
  }

  /** After the commit: make it all current. Returns the readings that now are current values, and company records as they were. */
  apply(): { applied: number; companiesBefore: CompanyState[] } {
    const { state } = this;
    const applied = new Set<number>();
    for (const m of this.metrics.values()) {
      state.setIngested(m.metric, m.index, m.value, m.tsMs);
      applied.add(m.reading);
    }
    for (const { pool, reading } of this.pools.values()) {
      state.pools.set(pool.supplierId, pool);
      applied.add(reading);
    }
    const companiesBefore: CompanyState[] = [];
    for (const { company, reading } of this.companies.values()) {
      companiesBefore.push(state.companies.get(company.companyId)!);
      state.companies.set(company.companyId, company);
      applied.add(reading);
    }
    return { applied: applied.size, companiesBefore };
  }
}

export interface TelemetryServiceDeps {
  state: LiveState;
  history: HistoryStore;
  options: Pick<AppOptions, 'ingestToken' | 'now'>;
  /** Company records changed by a batch (the live loop only broadcasts simulated ones). */
  onCompanies?: (changes: CompanyState[], events: DistrictEvent[]) => void;
}

const ROLLBACK = Symbol('rollback');
const digest = (s: string) => createHash('sha256').update(s).digest();

export class TelemetryService {
  private readonly schema;
  /** Digests are compared, so both sides have the same length for timingSafeEqual. */
  private readonly tokenDigest: Buffer | null;

  constructor(private readonly deps: TelemetryServiceDeps) {
    const { district } = deps.state;
    this.schema = makeTelemetryBatchSchema({
      buildingIds: new Set(district.buildings.map((b) => b.id)),
      supplierIds: new Set(district.suppliers.map((s) => s.id)),
      companyIds: new Set(district.companies.map((c) => c.id)),
      now: deps.options.now,
      maxFutureSkewMs: MAX_FUTURE_SKEW_MS,
    });
    this.tokenDigest = deps.options.ingestToken ? digest(deps.options.ingestToken) : null;
  }

  /** Why a presented token is not accepted, or null when it is. Compared in constant time. */
  authProblem(token: unknown): AuthProblem | null {
    if (!this.tokenDigest) return { status: 503, error: INGEST_OFF_MESSAGE };
    if (typeof token !== 'string' || token === '') return { status: 401, error: 'missing ingest token: send "Authorization: Bearer <INGEST_TOKEN>"' };
    if (!timingSafeEqual(digest(token), this.tokenDigest)) return { status: 401, error: 'wrong ingest token' };
    return null;
  }

  ingest(input: unknown): IngestOutcome {
    const parsed = this.schema.safeParse(input);
    if (!parsed.success) return { ok: false, issues: toInputIssues(parsed.error) };
    const { readings } = parsed.data;
    const issues = this.capacityIssues(readings);
    if (issues.length > 0) return { ok: false, issues };

    const { state, history, options } = this.deps;
    const receivedMs = options.now();
    const changes = new BatchChanges(state);
    let stored = 0;
    const conflicts: InputIssue[] = [];
    try {
      history.transaction(() => {
        readings.forEach((r, i) => {
          const tsMs = Date.parse(r.ts);
          const outcome = history.insertReading(r, tsMs, receivedMs);
          if (outcome.status === 'conflict') {
            const said = (v: unknown) => JSON.stringify(v);
            conflicts.push({ path: `readings.${i}.${outcome.field}`, message: `${r.kind} reading at ${r.ts} already stored with ${outcome.field} ${said(outcome.stored)} by an earlier batch; this one says ${said(outcome.sent)}. A stored reading is never changed: send a new ts` });
          }
          if (outcome.status !== 'new') return; // a duplicate (same fields, same values) is idempotent
          stored++;
          changes.add(outcome.fresh, tsMs, i);
        });
        if (conflicts.length > 0) throw ROLLBACK;
        changes.save(history);
      });
    } catch (err) {
      if (err === ROLLBACK) return { ok: false, status: 409, issues: conflicts };
      throw err;
    }
    // Durable: only now may the live state show it.
    const { applied, companiesBefore } = changes.apply();
    if (companiesBefore.length > 0) {
      const after = companiesBefore.map((before) => state.companies.get(before.companyId)!);
      const events = after.map((a, k) => this.moveEvent(companiesBefore[k]!, a)).filter((e) => e !== null);
      this.deps.onCompanies?.(after, events);
    }
    return { ok: true, accepted: { received: readings.length, stored, applied } };
  }

  /** Occupancy is a share of design capacity: a building without one has no occupancy to report. */
  private capacityIssues(readings: readonly Reading[]): InputIssue[] {
    const { state } = this.deps;
    const issues: InputIssue[] = [];
    readings.forEach((r, i) => {
      if (r.kind !== 'building' || (r.occupancy === undefined && r.peopleCount === undefined)) return;
      if (state.district.buildings[state.index.get(r.buildingId)!]!.capacityPeople === 0) {
        const field = r.occupancy !== undefined ? 'occupancy' : 'peopleCount';
        issues.push({ path: `readings.${i}.${field}`, message: `building "${r.buildingId}" has no people capacity, so occupancy does not apply to it` });
      }
    });
    return issues;
  }

  private moveEvent(before: CompanyState, after: CompanyState): DistrictEvent | null {
    if (before.buildingId === after.buildingId) return null;
    const { district } = this.deps.state;
    const company = district.companies.find((c) => c.id === after.companyId)!;
    if (after.buildingId === null) {
      return { tsMs: after.tsMs, kind: 'moved-out', companyId: company.id, buildingId: before.buildingId, text: { zh: `${company.name.zh} 迁出`, en: `${company.name.en} moved out` }, source: 'ingest' };
    }
    const building = district.buildings[this.deps.state.index.get(after.buildingId)!]!;
    const where = building.name ?? { zh: building.id, en: building.id };
    return { tsMs: after.tsMs, kind: 'moved-in', companyId: company.id, buildingId: building.id, text: { zh: `${company.name.zh} 入驻 ${where.zh}`, en: `${company.name.en} moved into ${where.en}` }, source: 'ingest' };
  }
}

/** Put the newest ingested values back into a fresh live state (before the first tick, so the simulator respects them). */
export function restoreIngested(history: HistoryStore, state: LiveState): void {
  const { buildings, pools, companies } = history.current();
  for (const row of buildings) {
    const index = state.index.get(row.building_id);
    const metric = LIVE_METRICS[row.metric];
    if (index !== undefined && metric) state.restore(metric, index, row.value, row.ts_ms, SOURCE_INGEST);
  }
  const supplierIds = new Set(state.district.suppliers.map((s) => s.id));
  for (const p of pools) {
    if (!supplierIds.has(p.supplier_id)) continue;
    state.pools.set(p.supplier_id, { supplierId: p.supplier_id, capacityPflops: p.capacity_pflops, allocatedPflops: p.allocated_pflops, usedPflops: p.used_pflops, tsMs: p.ts_ms, source: 'ingest' });
  }
  for (const c of companies) {
    const known = state.companies.get(c.company_id);
    if (!known) continue;
    // A building that left the data set since: keep the data set's answer rather than invent a move-out.
    const buildingId = c.building_id !== null && !state.index.has(c.building_id) ? known.buildingId : c.building_id;
    state.companies.set(c.company_id, { companyId: c.company_id, buildingId, headcount: c.headcount, registeredModels: c.registered_models, tsMs: c.ts_ms, source: 'ingest' });
  }
}
