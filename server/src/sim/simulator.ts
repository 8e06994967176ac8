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

interface Job {
  share: number; // of the allocation
  endMs: number;
}

interface CompanyRuntime {
  index: number;
  buildingIndex: number;
  headcount: number;
  registeredModels: number;
  supplierIndex: number; // -1 = no compute
  allocationPflops: number;
  inferenceShare: number;
  jobs: Job[];
  inUsePflops: number;
}

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

/** Has any of these jobs ended by `tMs`? (A loop, not a closure per company per step.) */
function anyEnded(jobs: readonly Job[], tMs: number): boolean {
  for (let k = 0; k < jobs.length; k++) if (jobs[k]!.endMs <= tMs) return true;
  return false;
}

export class Simulator {
  readonly occupancy: Float32Array;
  readonly computeLoad: Float32Array;
  readonly pools: PoolSim[];
  readonly companies: CompanyRuntime[];
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
  // Per-building and per-company constants as typed columns, so a step at 50,000 buildings reads no objects and hashes
  // no noise knots it already has (the values are exactly those of the object-and-hash version).
  private readonly useCode: Uint8Array;
  private readonly capacity: Float64Array;
  private readonly officeOrLab: Uint8Array;
  private readonly presenceByUse = new Float64Array(BUILDING_USES.length);
  private readonly drift: SmoothNoiseColumn;
  private readonly trafficNoise: SmoothNoiseColumn;
  private readonly makesModels: Uint8Array;

  constructor(
    private readonly district: District,
    private readonly options: SimulatorOptions,
  ) {
    const n = district.buildings.length;
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
    this.trafficNoise = new SmoothNoiseColumn(options.seed, 10_000, district.companies.length, 15 * 60_000);
    this.makesModels = Uint8Array.from(district.companies, (c) => (c.industry === 'foundation-models' || c.industry === 'ai-applications' ? 1 : 0));
    this.rng = mulberry32(options.seed ^ Math.floor(options.startMs / 1000));
    this.timeMs = options.startMs;

    const buildingIndex = new Map(district.buildings.map((b, i) => [b.id, i]));
    const supplierIndex = new Map(district.suppliers.map((s, i) => [s.id, i]));
    this.pools = district.suppliers.map((s) => ({ supplierId: s.id, capacityPflops: s.capacityPflops, allocatedPflops: 0, usedPflops: 0 }));
    this.companies = district.companies.map((c, index) => {
      const rt: CompanyRuntime = {
        index,
        buildingIndex: buildingIndex.get(c.buildingId)!,
        headcount: c.headcount,
        registeredModels: c.registeredModels,
        supplierIndex: c.compute ? supplierIndex.get(c.compute.supplierId)! : -1,
        allocationPflops: c.compute?.pflops ?? 0,
        inferenceShare: 0.15 + 0.25 * hash01(options.seed, index, 2),
        jobs: [],
        inUsePflops: 0,
      };
      // Start in a steady state: about half the compute tenants are mid-way through a training job.
      if (rt.supplierIndex >= 0 && this.rng() < 0.5) rt.jobs.push(this.newJob(options.startMs - this.rng() * 4 * HOUR));
      return rt;
    });
    this.computeAll(options.startMs);
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

  private newJob(startMs: number): Job {
    return { share: 0.35 + 0.4 * this.rng(), endMs: startMs + (2 + 12 * this.rng()) * HOUR };
  }

  private companyEvents(tMs: number, dtH: number): void {
    const { companies, buildings } = this.district;
    // One threshold per rate per step (the same draws, in the same order, as one chance() per company and rate).
    const training = Simulator.chanceIn(RATES.trainingJobPerCompany, dtH);
    const allocation = Simulator.chanceIn(RATES.allocationGrowthPerCompany, dtH);
    const headcount = Simulator.chanceIn(RATES.headcountGrowthPerCompany, dtH);
    const registration = Simulator.chanceIn(RATES.registrationPerModelCompany, dtH);
    for (const rt of this.companies) {
      if (rt.supplierIndex >= 0) {
        if (anyEnded(rt.jobs, tMs)) rt.jobs = rt.jobs.filter((j) => j.endMs > tMs);
        if (rt.jobs.length < 2 && this.rng() < training) rt.jobs.push(this.newJob(tMs));
        if (this.rng() < allocation) {
          const pool = this.pools[rt.supplierIndex]!;
          const extra = Math.min(rt.allocationPflops * (0.1 + 0.15 * this.rng()), pool.capacityPflops - pool.allocatedPflops);
          if (extra > 0) {
            rt.allocationPflops += extra;
            pool.allocatedPflops += extra;
          }
        }
      }
      if (this.rng() < headcount) {
        const company = companies[rt.index]!;
        const room = buildings[rt.buildingIndex]!.capacityPeople - this.headcountByBuilding[rt.buildingIndex]!;
        const grow = Math.min(Math.max(1, Math.round(rt.headcount * (0.02 + 0.06 * this.rng()))), Math.floor(room));
        if (grow > 0) {
          rt.headcount += grow;
          this.headcountByBuilding[rt.buildingIndex]! += grow;
          this.changedCompanies.add(rt.index);
          this.emit(tMs, 'headcount-grew', rt, { zh: `${company.name.zh} 扩员 ${grow} 人`, en: `${company.name.en} added ${grow} staff` });
        }
      }
      if (this.makesModels[rt.index] && this.rng() < registration) {
        const company = companies[rt.index]!;
        rt.registeredModels += 1;
        this.changedCompanies.add(rt.index);
        this.emit(tMs, 'model-registered', rt, { zh: `${company.name.zh} 新增一个通过备案的大模型`, en: `${company.name.en} passed registration for another large model` });
      }
    }
    if (this.rng() < Simulator.chanceIn(RATES.relocationInDistrict, dtH)) this.relocate(tMs);
  }

  /** A tenant moves to another office or lab building with room for it. */
  private relocate(tMs: number): void {
    const movable = this.companies.filter((c) => c.headcount > 0);
    if (movable.length === 0) return;
    const rt = movable[Math.floor(this.rng() * movable.length)]!;
    const { buildings } = this.district;
    const candidates: number[] = [];
    buildings.forEach((b, i) => {
      if (i !== rt.buildingIndex && (b.use === 'office' || b.use === 'lab') && b.capacityPeople - this.headcountByBuilding[i]! >= rt.headcount) candidates.push(i);
    });
    if (candidates.length === 0) return;
    const to = candidates[Math.floor(this.rng() * candidates.length)]!;
    this.headcountByBuilding[rt.buildingIndex]! -= rt.headcount;
    this.headcountByBuilding[to]! += rt.headcount;
    rt.buildingIndex = to;
    this.changedCompanies.add(rt.index);
    const company = this.district.companies[rt.index]!;
    const b = buildings[to]!;
    const where = b.name ?? { zh: b.id, en: b.id };
    this.emit(tMs, 'moved-in', rt, { zh: `${company.name.zh} 入驻 ${where.zh}`, en: `${company.name.en} moved into ${where.en}` });
  }

  private emit(tMs: number, kind: DistrictEvent['kind'], rt: CompanyRuntime, text: DistrictEvent['text']): void {
    this.events.push({ tsMs: tMs, kind, companyId: this.district.companies[rt.index]!.id, buildingId: this.district.buildings[rt.buildingIndex]!.id, text, source: 'simulated' });
  }

  private computeAll(tMs: number): void {
    const n = this.district.buildings.length;
    this.headcountByBuilding.fill(0);
    this.allocByBuilding.fill(0);
    this.usedByBuilding.fill(0);
    for (const p of this.pools) {
      p.allocatedPflops = 0;
      p.usedPflops = 0;
    }
    const traffic = sampleDay(INFERENCE_TRAFFIC, shanghaiClock(tMs).hour);
    this.trafficNoise.at(tMs);
    const noise = this.trafficNoise.values;
    for (const rt of this.companies) {
      this.headcountByBuilding[rt.buildingIndex]! += rt.headcount;
      if (rt.supplierIndex < 0) continue;
      let share = rt.inferenceShare * traffic * (0.9 + 0.2 * (noise[rt.index]! * 0.5 + 0.5));
      for (const j of rt.jobs) if (j.endMs > tMs) share += j.share;
      rt.inUsePflops = rt.allocationPflops * Math.min(share, 1);
      this.allocByBuilding[rt.buildingIndex]! += rt.allocationPflops;
      this.usedByBuilding[rt.buildingIndex]! += rt.inUsePflops;
      const pool = this.pools[rt.supplierIndex]!;
      pool.allocatedPflops += rt.allocationPflops;
      pool.usedPflops += rt.inUsePflops;
    }
    // Presence depends only on the use and the time: once per use per step, not once per building.
    const presenceByUse = this.presenceByUse;
    for (let u = 0; u < BUILDING_USES.length; u++) presenceByUse[u] = presence(BUILDING_USES[u]!, tMs);
    const { useCode, capacity, officeOrLab, buildingFactor, headcountByBuilding, allocByBuilding, usedByBuilding, occupancy: occupancyOut, computeLoad } = this;
    this.drift.at(tMs);
    const drift = this.drift.values;
    for (let i = 0; i < n; i++) {
      const p = presenceByUse[useCode[i]!]!;
      const d = 1 + 0.06 * drift[i]!;
      const cap = capacity[i]!;
      let occupancy: number;
      if (cap === 0) occupancy = NOT_APPLICABLE;
      else if (officeOrLab[i]) occupancy = (headcountByBuilding[i]! * p * d) / cap;
      else occupancy = p * buildingFactor[i]! * d;
      occupancyOut[i] = occupancy === NOT_APPLICABLE ? occupancy : Math.min(Math.max(occupancy, 0), 1);
      const alloc = allocByBuilding[i]!;
      computeLoad[i] = alloc > 0 ? Math.min(usedByBuilding[i]! / alloc, 1) : NOT_APPLICABLE;
    }
  }

  /** Current record of company `index` as the simulator sees it. */
  companyRecord(index: number): { buildingId: string; headcount: number; registeredModels: number } {
    const rt = this.companies[index]!;
    return { buildingId: this.district.buildings[rt.buildingIndex]!.id, headcount: rt.headcount, registeredModels: rt.registeredModels };
  }
}
