/** Configuration from the environment, validated: a wrong value stops the server with a message naming the variable. */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { z } from 'zod';
import { SIMULATOR_MODES, type SimulatorMode } from '@models/api.ts';
import { DEFAULT_HISTORY_READ_LIMITS, type HistoryReadLimits } from './history/history.limits.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const ROLES = ['all', 'engine', 'gateway'] as const;
export type Role = (typeof ROLES)[number];

export interface AppOptions {
  /** all: engine and gateway in this process (the default); engine / gateway: one side, the other across Redis. */
  role: Role;
  /** redis://… : the transport between engine and gateways (required for ROLE=engine and ROLE=gateway). */
  redisUrl: string | null;
  /** ROLE=engine: how long the writer's lease in Redis lasts without renewal; a standby takes over within it. */
  engineLeaseMs: number;
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
  /** `postgres://…`: history in PostgreSQL (history.postgres.ts); null: SQLite in dataDir (the embedded default). */
  historyUrl: string | null;
  /** PIN a remote needs to drive a presenter group; null = presenter control is off. */
  presenterPin: string | null;
  /** Seconds after the presenter leaves (nobody holds control) before the screens return to the attract loop. */
  presenterTimeoutS: number;
  /** History read budgets and reader threads (history.routes.ts); unset fields take DEFAULT_HISTORY_READ_LIMITS. */
  historyReads?: Partial<HistoryReadLimits>;
  logLevel: string;
  /** Limits against hostile or careless clients (server/src/security, server/src/ops). */
  limits: LimitOptions;
  /** Wall clock, injectable for tests. */
  now: () => number;
}

export interface LimitOptions {
  /** Engine.IO sessions (screens, devices) open at once from one client address, and in total. */
  maxSessionsPerAddress: number;
  maxSessions: number;
  /** Origins besides the server's own that may open the socket and call the API (browsers send Origin; devices don't). */
  allowedOrigins: string[];
  /** CSP frame-ancestors: who may embed the app in a frame (kiosk shells). */
  frameAncestors: string[];
  /** Wrong ingest tokens per minute from one address before every ingest attempt from it is refused for the minute. */
  authFailuresPerMinute: number;
  /** A request's headers must arrive within this, and the whole request (headers and body) within requestTimeoutMs. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** SIGTERM: connections still open after this are closed, so shutdown ends whatever clients do. */
  shutdownTimeoutMs: number;
}

const origin = z.string().transform((s, ctx) => {
  try {
    const u = new URL(s);
    if ((u.protocol === 'http:' || u.protocol === 'https:') && u.origin === s.replace(/\/$/, '')) return u.origin;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: `"${s}" is not an origin: write scheme://host[:port], e.g. https://wall.example.com` });
  return z.NEVER;
});
const list = (item: z.ZodType<string, string>) =>
  z
    .string()
    .transform((s) => s.split(/[\s,]+/).filter((x) => x !== ''))
    .pipe(z.array(item));
// 'self', 'none', or a scheme/host source such as https://kiosk.example.com or https://*.example.com
const frameSource = z.string().regex(/^('self'|'none'|https?:\/\/[\w*.-]+(:\d+)?|https?:)$/, "each FRAME_ANCESTORS entry must be 'self', 'none' or a source like https://kiosk.example.com");
const seconds = (name: string, max: number) => z.coerce.number({ error: `${name} must be a number of seconds` }).positive(`${name} must be more than 0 seconds`).max(max, `${name} must be at most ${max} seconds`);

const redisUrl = z.string().refine((s) => {
  try {
    return ['redis:', 'rediss:'].includes(new URL(s).protocol);
  } catch {
    return false;
  }
}, 'REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379');

const Env = z.object({
  ROLE: z.enum(ROLES, { error: `ROLE must be one of ${ROLES.join(', ')}` }).default('all'),
  REDIS_URL: redisUrl.optional(),
  ENGINE_LEASE_MS: z.coerce.number({ error: 'ENGINE_LEASE_MS must be a number of milliseconds' }).int().min(500, 'ENGINE_LEASE_MS must be at least 500 ms').max(60_000, 'ENGINE_LEASE_MS must be at most 60000 ms').default(5000),
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
  HISTORY_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'HISTORY_URL must be a PostgreSQL URL, postgres://user[:password]@host[:port]/database (unset: SQLite in DATA_DIR)')
    .optional(),
  PRESENTER_PIN: z.string().min(4, 'PRESENTER_PIN must be at least 4 characters').max(64).optional(),
  PRESENTER_TIMEOUT_S: z.coerce.number().positive().max(86_400).default(120),
  HISTORY_READERS: z.coerce.number().int().min(1).max(16).default(DEFAULT_HISTORY_READ_LIMITS.threads),
  HISTORY_READ_QUEUE: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_HISTORY_READ_LIMITS.maxQueued),
  HISTORY_READS_PER_S: z.coerce.number().positive().max(10_000).default(DEFAULT_HISTORY_READ_LIMITS.perSecond),
  HISTORY_READ_BURST: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_HISTORY_READ_LIMITS.burst),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAX_SESSIONS_PER_ADDRESS: z.coerce.number().int().min(1, 'MAX_SESSIONS_PER_ADDRESS must be at least 1').default(50),
  MAX_SESSIONS: z.coerce.number().int().min(1, 'MAX_SESSIONS must be at least 1').default(2000),
  ALLOWED_ORIGINS: list(origin).default([]),
  FRAME_ANCESTORS: list(frameSource).default(["'self'"]),
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1, 'AUTH_FAILURES_PER_MINUTE must be at least 1').default(10),
  HEADERS_TIMEOUT_S: seconds('HEADERS_TIMEOUT_S', 300).default(10),
  // a full 4 MiB ingest batch over a 0.6 Mbit/s link takes about 60 s
  REQUEST_TIMEOUT_S: seconds('REQUEST_TIMEOUT_S', 3600).default(60),
  SHUTDOWN_TIMEOUT_S: seconds('SHUTDOWN_TIMEOUT_S', 600).default(10),
});

export class ConfigError extends Error {}

export function optionsFromEnv(env: NodeJS.ProcessEnv): AppOptions {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  }
  const e = parsed.data;
  if (e.ROLE !== 'all' && !e.REDIS_URL) throw new ConfigError(`REDIS_URL: ROLE=${e.ROLE} needs REDIS_URL (redis://host:port), the transport between the engine and its gateways`);
  return {
    role: e.ROLE,
    redisUrl: e.REDIS_URL ?? null,
    engineLeaseMs: e.ENGINE_LEASE_MS,
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
    historyUrl: e.HISTORY_URL ?? null,
    presenterPin: e.PRESENTER_PIN ?? null,
    presenterTimeoutS: e.PRESENTER_TIMEOUT_S,
    historyReads: { threads: e.HISTORY_READERS, maxQueued: e.HISTORY_READ_QUEUE, perSecond: e.HISTORY_READS_PER_S, burst: e.HISTORY_READ_BURST },
    logLevel: e.LOG_LEVEL,
    limits: {
      maxSessionsPerAddress: e.MAX_SESSIONS_PER_ADDRESS,
      maxSessions: e.MAX_SESSIONS,
      allowedOrigins: e.ALLOWED_ORIGINS,
      frameAncestors: e.FRAME_ANCESTORS,
      authFailuresPerMinute: e.AUTH_FAILURES_PER_MINUTE,
      headersTimeoutMs: e.HEADERS_TIMEOUT_S * 1000,
      // node requires the whole-request timeout to be at least the headers timeout
      requestTimeoutMs: Math.max(e.REQUEST_TIMEOUT_S, e.HEADERS_TIMEOUT_S) * 1000,
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_S * 1000,
    },
    now: Date.now,
  };
}

/** Defaults for tests and tools: port 0, no client, quiet. */
export function testOptions(overrides: Partial<AppOptions> = {}): AppOptions {
  return { ...optionsFromEnv({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), clientDir: null, ...overrides };
}
