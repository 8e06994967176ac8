/**
 * Applying durable ingest to the live state, for the engine: every value goes through the state's `offer*` (and so
 * engine/precedence.ts); company records that moved make a move event; changed companies are published at once.
 */
import type { CompanyState } from '@models/api.ts';
import type { DistrictEvent } from '@models/events.ts';
import type { LiveState } from '../live/live.state.ts';
import { SOURCE_INGEST } from './precedence.ts';
import type { EngineIngest, IngestChanges } from './engine.interface.ts';

export class StateIngest implements EngineIngest {
  constructor(
    private readonly state: LiveState,
    private readonly now: () => number,
    private readonly onCompanies?: (changes: CompanyState[], events: DistrictEvent[]) => void,
  ) {}

  company(companyId: string): CompanyState | undefined {
    return this.state.companies.get(companyId);
  }

  applyIngest(changes: IngestChanges): { applied: number } {
    const { state } = this;
    if (changes.datasetVersion !== state.district.version) throw new Error(`ingest for data set ${changes.datasetVersion}, engine runs ${state.district.version}`);
    const wall = this.now();
    const applied = new Set<number>();
    for (const m of changes.metrics) if (state.offerMetric(m.metric, m.buildingIndex, m.value, m.tsMs, SOURCE_INGEST, wall)) applied.add(m.reading);
    for (const { pool, reading } of changes.pools) if (state.offerPool(pool, wall)) applied.add(reading);
    const after: CompanyState[] = [];
    const events: DistrictEvent[] = [];
    for (const { company, reading } of changes.companies) {
      const before = state.companies.get(company.companyId);
      if (!state.offerCompany(company, wall)) continue;
      applied.add(reading);
      after.push(company);
      const e = before && this.moveEvent(before, company);
      if (e) events.push(e);
    }
    if (after.length > 0) this.onCompanies?.(after, events);
    return { applied: applied.size };
  }

  private moveEvent(before: CompanyState, after: CompanyState): DistrictEvent | null {
    if (before.buildingId === after.buildingId) return null;
    const { district } = this.state;
    const company = district.companies.find((c) => c.id === after.companyId)!;
    if (after.buildingId === null) {
      return { tsMs: after.tsMs, kind: 'moved-out', companyId: company.id, buildingId: before.buildingId, text: { zh: `${company.name.zh} 迁出`, en: `${company.name.en} moved out` }, source: 'ingest' };
    }
    const building = district.buildings[this.state.index.get(after.buildingId)!]!;
    const where = building.name ?? { zh: building.id, en: building.id };
    return { tsMs: after.tsMs, kind: 'moved-in', companyId: company.id, buildingId: building.id, text: { zh: `${company.name.zh} 入驻 ${where.zh}`, en: `${company.name.en} moved into ${where.en}` }, source: 'ingest' };
  }
}
