/** Configuration from the environment, validated: a wrong value stops the server with a message naming the variable. */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { z } from 'zod';
import { SIMULATOR_MODES, type SimulatorMode } from '@models/api.ts';

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
  /** PIN a remote needs to drive a presenter group; null = presenter control is off. */
  presenterPin: string | null;
  /** Seconds after the presenter leaves (nobody holds control) before the screens return to the attract loop. */
  presenterTimeoutS: number;
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
  PRESENTER_PIN: z.string().min(4, 'PRESENTER_PIN must be at least 4 characters').max(64).optional(),
  PRESENTER_TIMEOUT_S: z.coerce.number().positive().max(86_400).default(120),
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
    presenterPin: e.PRESENTER_PIN ?? null,
    presenterTimeoutS: e.PRESENTER_TIMEOUT_S,
    logLevel: e.LOG_LEVEL,
    now: Date.now,
  };
}

/** Defaults for tests and tools: port 0, no client, quiet. */
export function testOptions(overrides: Partial<AppOptions> = {}): AppOptions {
  return { ...optionsFromEnv({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), clientDir: null, ...overrides };
}
