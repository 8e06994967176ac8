/** Shared by the ingest, history and durability tests: a real server on port 0 with a temp DATA_DIR. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import type { StateResponse } from '@models/api.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '@models/events.ts';
import type { Reading } from '@models/telemetry.ts';
import { createApp, type App } from '../../server/src/app.ts';
import { testOptions, type AppOptions } from '../../server/src/config.ts';

export const TOKEN = 'test-ingest-token-0123456789';

export interface Running {
  app: App;
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

export async function startServer(overrides: Partial<AppOptions> = {}): Promise<Running> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-ingest-'));
  const app = await createApp(testOptions({ dataDir, tickMs: 100, ingestToken: TOKEN, ...overrides }));
  const url = await app.listen();
  return {
    app,
    url,
    dataDir,
    async close() {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function postTelemetry(url: string, body: unknown, init: { token?: string | null; contentType?: string; raw?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': init.contentType ?? 'application/json' };
  const token = init.token === undefined ? TOKEN : init.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return fetch(`${url}/api/v1/telemetry`, { method: 'POST', headers, body: init.raw ?? JSON.stringify(body) });
}

export const iso = (ms: number) => new Date(ms).toISOString();

export const occupancyReading = (buildingId: string, occupancy: number, tsMs = Date.now()): Reading => ({ kind: 'building', buildingId, ts: iso(tsMs), occupancy });

export async function getState(url: string): Promise<StateResponse> {
  return (await (await fetch(`${url}/api/v1/state`)).json()) as StateResponse;
}

/** Everything in /api/v1/state that came from ingest. */
export function ingestedIn(state: StateResponse): string[] {
  const found: string[] = [];
  for (const b of state.buildings) for (const [metric, v] of Object.entries(b.metrics)) if (v.source === 'ingest') found.push(`${b.id}.${metric}`);
  for (const p of state.suppliers) if (p.source === 'ingest') found.push(p.supplierId);
  for (const c of state.companies) if (c.source === 'ingest') found.push(c.companyId);
  return found;
}

export function rowCount(app: App, table: 'reading' | 'current_building' | 'current_pool' | 'current_company'): number {
  return (app.history!.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

/** Rows that only ingest writes (the sampler writes simulated minutes on its own, every minute). */
export function ingestRows(app: App): number {
  const n = (sql: string) => (app.history!.db.prepare(sql).get() as { n: number }).n;
  return (
    n('SELECT count(*) AS n FROM reading') +
    n('SELECT count(*) AS n FROM building_minute WHERE readings > 0') +
    n('SELECT count(*) AS n FROM current_building') +
    n('SELECT count(*) AS n FROM current_pool') +
    n('SELECT count(*) AS n FROM current_company')
  );
}

export type LiveClient = Socket<ServerToClientEvents, ClientToServerEvents>;

export function liveClient(url: string, opts: { reconnection?: boolean } = {}): LiveClient {
  return connect(url, { transports: ['websocket'], reconnection: opts.reconnection ?? false, reconnectionDelay: 200, reconnectionDelayMax: 500 });
}
