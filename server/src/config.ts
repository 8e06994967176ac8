/** Configuration from the environment, validated: a wrong value stops the server with a message naming the variable. */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { z } from 'zod';
import { SIMULATOR_MODES, type SimulatorMode } from '@models/api.ts';
import { DEFAULT_HISTORY_READ_LIMITS, type HistoryReadLimits } from './history/history.limits.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface AppOptions {
  host: string;
  port: number;
  /** Where history (SQLite) lives. */
  dataDir: string;
  /** Where the district data set (data/*.json) is read from. */
  datasetDir: string;
  /** Built client to serve; null to serve none. */
  clientDir: string | null;
  simulator: { mode: SimulatorMode; seed: number; speed: number };
  tickMs: number;
  staleAfterS: number;
  /** Bearer token for ingest; ingest is off without one. */
  ingestToken: string | null;
  /** Ingest requests per minute per client address (HTTP route); more get 429 with Retry-After. */
  ingestRateLimit: number;
  historyDays: number;
  /** History read budgets and reader threads (history.routes.ts); unset fields take DEFAULT_HISTORY_READ_LIMITS. */
  historyReads?: Partial<HistoryReadLimits>;
  logLevel: string;
  /** Wall clock, injectable for tests. */
  now: () => number;
}

const Env = z.object({
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  DATA_DIR: z.string().default(path.join(REPO_ROOT, 'var')),
  DATASET_DIR: z.string().default(path.join(REPO_ROOT, 'data')),
  SIMULATOR: z.enum(SIMULATOR_MODES).default('fill'),
  SIM_SEED: z.coerce.number().int().min(0).default(20231),
  SIM_SPEED: z.coerce.number().positive().max(3600).default(1),
  TICK_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  STALE_AFTER_S: z.coerce.number().positive().default(120),
  INGEST_TOKEN: z.string().min(16, 'INGEST_TOKEN must be at least 16 characters').optional(),
  INGEST_RATE_LIMIT: z.coerce.number().int().min(1).default(600),
  HISTORY_DAYS: z.coerce.number().positive().max(3650).default(7),
  HISTORY_READERS: z.coerce.number().int().min(1).max(16).default(DEFAULT_HISTORY_READ_LIMITS.threads),
  HISTORY_READ_QUEUE: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_HISTORY_READ_LIMITS.maxQueued),
  HISTORY_READS_PER_S: z.coerce.number().positive().max(10_000).default(DEFAULT_HISTORY_READ_LIMITS.perSecond),
  HISTORY_READ_BURST: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_HISTORY_READ_LIMITS.burst),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export class ConfigError extends Error {}

export function optionsFromEnv(env: NodeJS.ProcessEnv): AppOptions {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  }
  const e = parsed.data;
  return {
    host: e.HOST,
    port: e.PORT,
    dataDir: e.DATA_DIR,
    datasetDir: e.DATASET_DIR,
    clientDir: path.join(REPO_ROOT, 'dist', 'client'),
    simulator: { mode: e.SIMULATOR, seed: e.SIM_SEED, speed: e.SIM_SPEED },
    tickMs: e.TICK_MS,
    staleAfterS: e.STALE_AFTER_S,
    ingestToken: e.INGEST_TOKEN ?? null,
    ingestRateLimit: e.INGEST_RATE_LIMIT,
    historyDays: e.HISTORY_DAYS,
    historyReads: { threads: e.HISTORY_READERS, maxQueued: e.HISTORY_READ_QUEUE, perSecond: e.HISTORY_READS_PER_S, burst: e.HISTORY_READ_BURST },
    logLevel: e.LOG_LEVEL,
    now: Date.now,
  };
}

/** Defaults for tests and tools: port 0, no client, quiet. */
export function testOptions(overrides: Partial<AppOptions> = {}): AppOptions {
  return { ...optionsFromEnv({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), clientDir: null, ...overrides };
}
