/**
 * The district simulator: a deterministic state machine (same seed, same start time, same step times → same output).
 *
 * - Occupancy: offices and labs hold their tenants' headcount × a presence profile by use and Shanghai local time;
 *   venues, hotels, shops and homes hold their capacity × their profile. Each building has its own steady factor and
 *   a slow drift so neighbours are not identical.
 * - Compute: every tenant with a compute allocation runs inference that follows daytime traffic and training jobs that
 *   arrive at random and run for hours. In use never exceeds the allocation; a building's load is in use ÷ allocated
 *   over its tenants. Pools: allocated = Σ tenants' allocations (never above capacity), in use = Σ tenants' in use.
 * - Companies: headcount grows now and then (never past the building's capacity), companies pass model registration,
 *   companies grow their compute allocation when the pool has room, and now and then one moves to a building with room.
 */
import type { DistrictEvent } from '@models/events.ts';
import { BUILDING_USES, type District } from '@models/district.ts';
import { NOT_APPLICABLE } from '@models/frame.codec.ts';
import { hash01, mulberry32, SmoothNoiseColumn } from './random.ts';
import { INFERENCE_TRAFFIC, presence, sampleDay, shanghaiClock } from './profiles.ts';

const HOUR = 3_600_000;

/** Mean time between events, in simulated hours (modelling assumptions; all output is labelled simulated). */
const RATES = {
  trainingJobPerCompany: 1 / 10,
  headcountGrowthPerCompany: 1 / (24 * 30),
  registrationPerModelCompany: 1 / (24 * 120),
  allocationGrowthPerCompany: 1 / (24 * 60),
  relocationInDistrict: 1 / (24 * 3),
};

/** At most this many training jobs run per tenant at once (a new one starts only below it). */
const MAX_JOBS = 2;

/**
 * Loops over every building or tenant run in chunks of this many: a function called a few dozen times a tick is
 * optimised whole by V8 with feedback for all its code, where one call per tick over 50,000 items ran part of every
 * loop in the baseline tier (which boxes each floating-point value: megabytes of garbage a tick) and re-entered
 * on-stack-replaced code that deoptimised at every loop exit.
 */
const CHUNK = 2048;

/** Written as the literal -1 in the loops below (see buildingsChunk); the compiler keeps them equal. */
NOT_APPLICABLE satisfies -1;

export interface PoolSim {
  supplierId: string;
  capacityPflops: number;
  allocatedPflops: number;
  usedPflops: number;
}

export interface SimulatorOptions {
  seed: number;
  startMs: number;
}

/**
 * Compute in use per tenant and its sums per building and per pool, for tenants [from, to) — the same additions, in
 * the same order, as one loop over all tenants. Typed columns only: nothing is allocated.
 */
function tenantsChunk(
  from: number,
  to: number,
  tMs: number,
  traffic: number,
  noise: Float64Array,
  t: TenantColumns,
  headcountByBuilding: Float64Array,
  allocByBuilding: Float64Array,
  usedByBuilding: Float64Array,
  poolAllocated: Float64Array,
  poolUsed: Float64Array,
): void {
  const { building, headcount, supplier, inferenceShare, allocation, inUse, jobCount, jobShare, jobEnd } = t;
  for (let c = from; c < to; c++) {
    const b = building[c]!;
    headcountByBuilding[b]! += headcount[c]!;
    const s = supplier[c]!;
    if (s < 0) continue;
    let share = inferenceShare[c]! * traffic * (0.9 + 0.2 * (noise[c]! * 0.5 + 0.5));
    const jobs = jobCount[c]!;
    for (let k = 0; k < jobs; k++) if (jobEnd[c * MAX_JOBS + k]! > tMs) share += jobShare[c * MAX_JOBS + k]!;
    const alloc = allocation[c]!;
    const used = alloc * Math.min(share, 1);
    inUse[c] = used;
    allocByBuilding[b]! += alloc;
    usedByBuilding[b]! += used;
    poolAllocated[s]! += alloc;
    poolUsed[s]! += used;
  }
}

/** Occupancy and compute load of buildings [from, to) from the step's sums. Typed columns only. */
function buildingsChunk(
  from: number,
  to: number,
  presenceByUse: Float64Array,
  useCode: Uint8Array,
  capacity: Float64Array,
  officeOrLab: Uint8Array,
  buildingFactor: Float32Array,
  drift: Float64Array,
  headcountByBuilding: Float64Array,
  allocByBuilding: Float64Array,
  usedByBuilding: Float64Array,
  occupancyOut: Float32Array,
  computeLoad: Float32Array,
): void {
  for (let i = from; i < to; i++) {
    const p = presenceByUse[useCode[i]!]!;
    const d = 1 + 0.06 * drift[i]!;
    const cap = capacity[i]!;
    // Each branch stores its own value, NOT_APPLICABLE as the literal -1: a value chosen with `?:` between an imported
    // constant (opaque to V8's optimiser) and a computed ratio became a heap number, one per building per tick.
    if (cap === 0) occupancyOut[i] = -1;
    else if (officeOrLab[i]) occupancyOut[i] = Math.min(Math.max((headcountByBuilding[i]! * p * d) / cap, 0), 1);
    else occupancyOut[i] = Math.min(Math.max(p * buildingFactor[i]! * d, 0), 1);
    const alloc = allocByBuilding[i]!;
    if (alloc > 0) computeLoad[i] = Math.min(usedByBuilding[i]! / alloc, 1);
    else computeLoad[i] = -1;
  }
}

/**
 * Every tenant's runtime state as typed columns, by company index (the order of `district.companies`): a step reads
 * and writes numbers in place, never an object or an array per tenant. Training jobs: up to MAX_JOBS slots per tenant,
 * `jobCount[c]` of them in use, oldest first.
 */
interface TenantColumns {
  building: Int32Array;
  headcount: Float64Array;
  registeredModels: Float64Array;
  /** Supplier index; -1 = no compute. */
  supplier: Int32Array;
  allocation: Float64Array;
  inferenceShare: Float64Array;
  inUse: Float64Array;
  jobCount: Uint8Array;
  jobShare: Float64Array;
  jobEnd: Float64Array;
}

export class Simulator {
  readonly occupancy: Float32Array;
  readonly computeLoad: Float32Array;
  /** Every supplier pool after the last step (the same objects, updated in place each step). */
  readonly pools: PoolSim[];
  /** Events of the last step. */
  readonly events: DistrictEvent[] = [];
  /** Indices of companies whose record changed in the last step. */
  readonly changedCompanies = new Set<number>();
  timeMs: number;
  private readonly rng: () => number;
  private readonly buildingFactor: Float32Array;
  private readonly headcountByBuilding: Float64Array;
  private readonly allocByBuilding: Float64Array;
  private readonly usedByBuilding: Float64Array;
  // Per-building and per-company constants and state as typed columns, so a step at 50,000 buildings reads no objects,
  // allocates nothing and hashes no noise knots it already has (the values are exactly those of the object version).
  private readonly useCode: Uint8Array;
  private readonly capacity: Float64Array;
  private readonly officeOrLab: Uint8Array;
  private readonly presenceByUse = new Float64Array(BUILDING_USES.length);
  private readonly drift: SmoothNoiseColumn;
  private readonly trafficNoise: SmoothNoiseColumn;
  private readonly makesModels: Uint8Array;
  private readonly tenants: TenantColumns;
  /** Pool sums of the last step (the truth; `pools` gets them at the end of a step). */
  private readonly poolCapacity: Float64Array;
  private readonly poolAllocated: Float64Array;
  private readonly poolUsed: Float64Array;

  constructor(
    private readonly district: District,
    private readonly options: SimulatorOptions,
  ) {
    const n = district.buildings.length;
    const m = district.companies.length;
    this.occupancy = new Float32Array(n);
    this.computeLoad = new Float32Array(n);
    this.headcountByBuilding = new Float64Array(n);
    this.allocByBuilding = new Float64Array(n);
    this.usedByBuilding = new Float64Array(n);
    this.buildingFactor = new Float32Array(n);
    for (let i = 0; i < n; i++) this.buildingFactor[i] = 0.75 + 0.25 * hash01(options.seed, i, 1);
    this.useCode = Uint8Array.from(district.buildings, (b) => BUILDING_USES.indexOf(b.use));
    this.capacity = Float64Array.from(district.buildings, (b) => b.capacityPeople);
    this.officeOrLab = Uint8Array.from(district.buildings, (b) => (b.use === 'office' || b.use === 'lab' ? 1 : 0));
    this.drift = new SmoothNoiseColumn(options.seed, 0, n, 10 * 60_000);
    this.trafficNoise = new SmoothNoiseColumn(options.seed, 10_000, m, 15 * 60_000);
    this.makesModels = Uint8Array.from(district.companies, (c) => (c.industry === 'foundation-models' || c.industry === 'ai-applications' ? 1 : 0));
    this.rng = mulberry32(options.seed ^ Math.floor(options.startMs / 1000));
    this.timeMs = options.startMs;

    const buildingIndex = new Map(district.buildings.map((b, i) => [b.id, i]));
    const supplierIndex = new Map(district.suppliers.map((s, i) => [s.id, i]));
    this.pools = district.suppliers.map((s) => ({ supplierId: s.id, capacityPflops: s.capacityPflops, allocatedPflops: 0, usedPflops: 0 }));
    this.poolCapacity = Float64Array.from(district.suppliers, (s) => s.capacityPflops);
    this.poolAllocated = new Float64Array(district.suppliers.length);
    this.poolUsed = new Float64Array(district.suppliers.length);
    const t: TenantColumns = {
      building: new Int32Array(m),
      headcount: new Float64Array(m),
      registeredModels: new Float64Array(m),
      supplier: new Int32Array(m),
      allocation: new Float64Array(m),
      inferenceShare: new Float64Array(m),
      inUse: new Float64Array(m),
      jobCount: new Uint8Array(m),
      jobShare: new Float64Array(m * MAX_JOBS),
      jobEnd: new Float64Array(m * MAX_JOBS),
    };
    this.tenants = t;
    district.companies.forEach((c, index) => {
      t.building[index] = buildingIndex.get(c.buildingId)!;
      t.headcount[index] = c.headcount;
      t.registeredModels[index] = c.registeredModels;
      t.supplier[index] = c.compute ? supplierIndex.get(c.compute.supplierId)! : -1;
      t.allocation[index] = c.compute?.pflops ?? 0;
      t.inferenceShare[index] = 0.15 + 0.25 * hash01(options.seed, index, 2);
      // Start in a steady state: about half the compute tenants are mid-way through a training job.
      if (t.supplier[index]! >= 0 && this.rng() < 0.5) this.startJob(index, options.startMs - this.rng() * 4 * HOUR);
    });
    this.computeAll(options.startMs);
  }

  /** Number of companies (tenants), by index as in `district.companies`. */
  get companyCount(): number {
    return this.district.companies.length;
  }

  /** Advance to `tMs` (simulated time). Steps may be of any size; the output depends only on the step times. */
  step(tMs: number): void {
    const dtH = Math.min(Math.max(tMs - this.timeMs, 0) / HOUR, 1);
    this.timeMs = tMs;
    this.events.length = 0;
    this.changedCompanies.clear();
    if (dtH > 0) this.companyEvents(tMs, dtH);
    this.computeAll(tMs);
  }

  /** The chance that an event of this rate happens within dtH hours (compare one rng() draw against it). */
  private static chanceIn(ratePerHour: number, dtH: number): number {
    return 1 - Math.exp(-ratePerHour * dtH);
  }

  /** A new training job for tenant `c` in its next free slot (draws its share, then its length). */
  private startJob(c: number, startMs: number): void {
    const { jobCount, jobShare, jobEnd } = this.tenants;
    const slot = c * MAX_JOBS + jobCount[c]!;
    jobShare[slot] = 0.35 + 0.4 * this.rng();
    jobEnd[slot] = startMs + (2 + 12 * this.rng()) * HOUR;
    jobCount[c]! += 1;
  }

  private companyEvents(tMs: number, dtH: number): void {
    // One threshold per rate per step (the same draws, in the same order, as one chance() per company and rate).
    const training = Simulator.chanceIn(RATES.trainingJobPerCompany, dtH);
    const allocation = Simulator.chanceIn(RATES.allocationGrowthPerCompany, dtH);
    const headcount = Simulator.chanceIn(RATES.headcountGrowthPerCompany, dtH);
    const registration = Simulator.chanceIn(RATES.registrationPerModelCompany, dtH);
    const m = this.district.companies.length;
    for (let from = 0; from < m; from += CHUNK) this.companyEventsChunk(from, Math.min(from + CHUNK, m), tMs, training, allocation, headcount, registration);
    if (this.rng() < Simulator.chanceIn(RATES.relocationInDistrict, dtH)) this.relocate(tMs);
  }

  /** Tenants [from, to) of a step's company events, in order (the rng draws are those of one loop over all). */
  private companyEventsChunk(from: number, to: number, tMs: number, training: number, allocation: number, headcount: number, registration: number): void {
    const t = this.tenants;
    const { jobCount, jobShare, jobEnd } = t;
    const { poolCapacity, poolAllocated, headcountByBuilding, capacity, makesModels } = this;
    for (let c = from; c < to; c++) {
      const s = t.supplier[c]!;
      if (s >= 0) {
        // Drop ended jobs, keeping the others in order.
        const jobs = jobCount[c]!;
        let kept = 0;
        for (let k = 0; k < jobs; k++) {
          const slot = c * MAX_JOBS + k;
          if (jobEnd[slot]! > tMs) {
            jobShare[c * MAX_JOBS + kept] = jobShare[slot]!;
            jobEnd[c * MAX_JOBS + kept] = jobEnd[slot]!;
            kept++;
          }
        }
        jobCount[c] = kept;
        if (kept < MAX_JOBS && this.rng() < training) this.startJob(c, tMs);
        if (this.rng() < allocation) {
          const extra = Math.min(t.allocation[c]! * (0.1 + 0.15 * this.rng()), poolCapacity[s]! - poolAllocated[s]!);
          if (extra > 0) {
            t.allocation[c]! += extra;
            poolAllocated[s]! += extra;
          }
        }
      }
      if (this.rng() < headcount) {
        const b = t.building[c]!;
        const room = capacity[b]! - headcountByBuilding[b]!;
        const grow = Math.min(Math.max(1, Math.round(t.headcount[c]! * (0.02 + 0.06 * this.rng()))), Math.floor(room));
        if (grow > 0) {
          t.headcount[c]! += grow;
          headcountByBuilding[b]! += grow;
          this.changedCompanies.add(c);
          const company = this.district.companies[c]!;
          this.emit(tMs, 'headcount-grew', c, { zh: `${company.name.zh} 扩员 ${grow} 人`, en: `${company.name.en} added ${grow} staff` });
        }
      }
      if (makesModels[c] && this.rng() < registration) {
        const company = this.district.companies[c]!;
        t.registeredModels[c]! += 1;
        this.changedCompanies.add(c);
        this.emit(tMs, 'model-registered', c, { zh: `${company.name.zh} 新增一个通过备案的大模型`, en: `${company.name.en} passed registration for another large model` });
      }
    }
  }

  /** A tenant moves to another office or lab building with room for it. */
  private relocate(tMs: number): void {
    const t = this.tenants;
    const movable: number[] = [];
    for (let c = 0; c < t.headcount.length; c++) if (t.headcount[c]! > 0) movable.push(c);
    if (movable.length === 0) return;
    const c = movable[Math.floor(this.rng() * movable.length)]!;
    const from = t.building[c]!;
    const people = t.headcount[c]!;
    const { buildings } = this.district;
    const candidates: number[] = [];
    for (let i = 0; i < buildings.length; i++) {
      if (i !== from && this.officeOrLab[i] && this.capacity[i]! - this.headcountByBuilding[i]! >= people) candidates.push(i);
    }
    if (candidates.length === 0) return;
    const to = candidates[Math.floor(this.rng() * candidates.length)]!;
    this.headcountByBuilding[from]! -= people;
    this.headcountByBuilding[to]! += people;
    t.building[c] = to;
    this.changedCompanies.add(c);
    const company = this.district.companies[c]!;
    const b = buildings[to]!;
    const where = b.name ?? { zh: b.id, en: b.id };
    this.emit(tMs, 'moved-in', c, { zh: `${company.name.zh} 入驻 ${where.zh}`, en: `${company.name.en} moved into ${where.en}` });
  }

  private emit(tMs: number, kind: DistrictEvent['kind'], c: number, text: DistrictEvent['text']): void {
    this.events.push({ tsMs: tMs, kind, companyId: this.district.companies[c]!.id, buildingId: this.district.buildings[this.tenants.building[c]!]!.id, text, source: 'simulated' });
  }

  private computeAll(tMs: number): void {
    const n = this.district.buildings.length;
    const m = this.district.companies.length;
    const { headcountByBuilding, allocByBuilding, usedByBuilding, poolAllocated, poolUsed } = this;
    headcountByBuilding.fill(0);
    allocByBuilding.fill(0);
    usedByBuilding.fill(0);
    poolAllocated.fill(0);
    poolUsed.fill(0);
    const traffic = sampleDay(INFERENCE_TRAFFIC, shanghaiClock(tMs).hour);
    this.trafficNoise.at(tMs);
    const noise = this.trafficNoise.values;
    for (let from = 0; from < m; from += CHUNK) {
      tenantsChunk(from, Math.min(from + CHUNK, m), tMs, traffic, noise, this.tenants, headcountByBuilding, allocByBuilding, usedByBuilding, poolAllocated, poolUsed);
    }
    for (let s = 0; s < this.pools.length; s++) {
      const pool = this.pools[s]!;
      pool.allocatedPflops = poolAllocated[s]!;
      pool.usedPflops = poolUsed[s]!;
    }
    // Presence depends only on the use and the time: once per use per step, not once per building.
    const presenceByUse = this.presenceByUse;
    for (let u = 0; u < BUILDING_USES.length; u++) presenceByUse[u] = presence(BUILDING_USES[u]!, tMs);
    this.drift.at(tMs);
    const drift = this.drift.values;
    const { useCode, capacity, officeOrLab, buildingFactor, occupancy, computeLoad } = this;
    for (let from = 0; from < n; from += CHUNK) {
      buildingsChunk(from, Math.min(from + CHUNK, n), presenceByUse, useCode, capacity, officeOrLab, buildingFactor, drift, headcountByBuilding, allocByBuilding, usedByBuilding, occupancy, computeLoad);
    }
  }

  /** Current record of company `index` as the simulator sees it. */
  companyRecord(index: number): { buildingId: string; headcount: number; registeredModels: number } {
    const t = this.tenants;
    return { buildingId: this.district.buildings[t.building[index]!]!.id, headcount: t.headcount[index]!, registeredModels: t.registeredModels[index]! };
  }
}
