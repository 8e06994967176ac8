// Types of history.writes.mjs (plain JavaScript, so the writer thread can load it without a TypeScript loader).
import type Database from 'better-sqlite3';
import type { Reading } from '@models/telemetry.ts';

export declare const ENTITY_KIND: { readonly building: 0; readonly supplier: 1; readonly company: 2 };
export declare const READING_FIELDS: readonly ['occupancy', 'peopleCount', 'computeLoad', 'capacityPflops', 'allocatedPflops', 'usedPflops', 'headcount', 'registeredModels', 'buildingId'];
export type ReadingField = (typeof READING_FIELDS)[number];
export declare const STORED_SIMULATED: 1;
export declare const STORED_INGEST: 2;

export declare function entityKey(r: Reading): string;
export declare function readingFields(r: Reading): Array<{ field: ReadingField; value: number | string | null }>;
export declare function freshReading(reading: Reading, fields: readonly ReadingField[]): Reading;

export type InsertConflict = { status: 'conflict'; field: ReadingField; stored: number | string | null; sent: number | string | null };
/** What storing a reading did, as it crosses from the writer thread: the fresh reading is rebuilt from `fields`. */
export type InsertFieldsOutcome = { status: 'new'; fields: ReadingField[] } | { status: 'duplicate' } | InsertConflict;
export type InsertOutcome = { status: 'new'; fresh: Reading } | { status: 'duplicate' } | InsertConflict;

export interface SampledBuildingRow {
  buildingId: string;
  /** Index in LIVE_METRICS. */
  metric: number;
  value: number;
  source: 1 | 2;
}
export interface SampledPoolRow {
  supplierId: string;
  capacityPflops: number;
  allocatedPflops: number;
  usedPflops: number;
  source: 1 | 2;
}

export declare class SqliteWrites {
  constructor(db: Database.Database);
  readonly db: Database.Database;
  transaction<T>(fn: () => T): T;
  forgetEntities(): void;
  entityId(kind: keyof typeof ENTITY_KIND, key: string): number;
  entityKeyOf(id: number): string | null;
  insertReadingFields(reading: Reading, tsMs: number, receivedMs: number): InsertFieldsOutcome;
  insertReading(reading: Reading, tsMs: number, receivedMs: number): InsertOutcome;
  addBuildingReadings(buildingId: string, metric: number, minute: number, mean: number, count: number): void;
  saveCurrentBuilding(buildingId: string, metric: number, value: number, tsMs: number): void;
  saveCurrentPool(p: { supplierId: string; capacityPflops: number; allocatedPflops: number; usedPflops: number; tsMs: number }): void;
  saveCurrentCompany(c: { companyId: string; buildingId: string | null; headcount: number; registeredModels: number; tsMs: number }): void;
  writeSampledMinute(minute: number, buildings: readonly SampledBuildingRow[], pools: readonly SampledPoolRow[]): void;
  pruneBatch(cutoffMs: number, limit: number): number;
}
