/**
 * The server factory and its wiring diagram: builds everything from options and returns it; `main.ts` only reads the
 * environment and listens. Tests start it on port 0.
 *
 *   data set ──► district engine (one writer: simulator, precedence, frame, minute sampler)
 *                   │ EngineOutput (tick: frame, pools, companies, events)      ▲ EngineIngest (durable readings)
 *                   ▼                                                          │
 *                gateway (Socket.IO: snapshot, fan-out) · HTTP routes ── ingest service ──► history (SQLite, or PostgreSQL)
 *
 * On one machine engine and gateway share this process and talk by plain calls through those two interfaces; across
 * machines (ROLE=engine / ROLE=gateway) scale/roles.ts builds each half and Redis carries the same messages.
 * Around them, registered before any route: security/ (origin check and session caps on Engine.IO, helmet, one ingest
 * budget for HTTP and /ingest) and ops/ (/metrics; the health tracker that watches every history write for /healthz).
 */
import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { District } from '@models/district.ts';
import type { AppOptions } from './config.ts';
import { loadDistrict } from './district/district.loader.ts';
import { loadMosu, registerMosuRoutes } from './mosu/mosu.ts';
import { registerClientBuild } from './ops/clientBuild.ts';
import { registerDistrictRoutes } from './district/district.routes.ts';
import { LiveState } from './live/live.state.ts';
import { DistrictEngine } from './engine/district.engine.ts';
import { StateDocument, type StateSource } from './engine/state.document.ts';
import { Gateway, type TwinServer } from './gateway/gateway.ts';
import { DistrictPayloads } from './gateway/district.payload.ts';
import type { HistoryStore } from './history/history.store.ts';
import type { HistoryRepository } from './history/history.repository.ts';
import { MinuteSampler } from './history/history.sampler.ts';
import { startRetention } from './history/history.retention.ts';
import { registerHistoryRoutes, type HistoryReads } from './history/history.routes.ts';
import { restoreIngested, TelemetryService, type IngestPort } from './telemetry/telemetry.service.ts';
import { registerTelemetryRoutes } from './telemetry/telemetry.routes.ts';
import { registerIngestNamespace } from './telemetry/ingest.namespace.ts';
import { registerSecurity, type Security } from './security/register.ts';
import { LISTEN_BACKLOG, serverTimeouts } from './security/http.ts';
import { registerOps, type Ops } from './ops/register.ts';
import { openHistoryRepository } from './ops/startup.ts';
import { closeConnectionsWithin } from './ops/shutdown.ts';
import { registerBriefing } from './briefing/briefing.ts';
import type { GroupBackend } from './briefing/briefing.groups.ts';

export interface App {
  http: FastifyInstance;
  io: TwinServer;
  district: District;
  /** The one writer. */
  engine: DistrictEngine;
  /** = engine (the name the tests grew up with). */
  loop: DistrictEngine;
  /** The engine's live state (read it; write only through the engine). */
  state: LiveState;
  gateway: Gateway;
  /** History, whichever database holds it (HISTORY_URL: PostgreSQL; unset: SQLite). */
  repository: HistoryRepository;
  /** The SQLite store under the repository; null with PostgreSQL. */
  history: HistoryStore | null;
  sampler: MinuteSampler;
  options: AppOptions;
  /** Listen on options.host:options.port and start ticking; resolves to the base URL. */
  listen(): Promise<string>;
  /** Stop accepting, stop ticking, close connections, write the pending minute of history and close the database. */
  close(): Promise<void>;
}

export async function createApp(options: AppOptions): Promise<App> {
  const district = await loadDistrict(options.datasetDir);
  const mosu = await loadMosu(options.datasetDir, district);
  const http = Fastify({ logger: { level: options.logLevel }, bodyLimit: 1_048_576, ...serverTimeouts(options.limits) });
  const logError = (msg: string) => (err: unknown) => http.log.error({ err }, msg);

  // ── history: SQLite in DATA_DIR, or PostgreSQL at HISTORY_URL, behind one async repository ──
  const { repository: history, store } = await openHistoryRepository(options);

  // ── engine: restored from history before its first tick, so its first simulated values respect real readings ──
  const state = new LiveState(district, options.staleAfterS, { simulatorOverridesIngest: options.simulator.mode === 'on' });
  await restoreIngested(history, state);
  const engine = new DistrictEngine(state, {
    simulator: options.simulator,
    tickMs: options.tickMs,
    now: options.now,
    onError: (err, where) => http.log.error({ err }, `engine: ${where} failed`),
    // For /metrics (frame deliveries); read at each tick, once the gateway exists.
    screens: (): number => gateway.screens(),
  });
  // After the frame is out; the minute goes to disk in chunks. A failing disk never stops the tick.
  const sampler = new MinuteSampler(state, history, { onError: logError('history: could not write the minute') });
  engine.afterPublish.push((wallNowMs) => sampler.sample(wallNowMs));

  // ── gateway: Socket.IO fed by what the engine publishes ──
  const gateway = new Gateway(http.server, engine.current(), { datasetVersion: district.version, tickMs: options.tickMs, staleAfterS: options.staleAfterS, historyDays: options.historyDays, simulator: options.simulator, now: options.now });
  engine.publishTo(gateway);

  // ── security and operations, before any route: origin check and session caps on Engine.IO, helmet, the shared ingest
  // budget; /metrics and the health tracker (it wraps the repository's writes, so every history write from here on is seen) ──
  const { security, ops } = await registerFront(http, gateway, { history, historyFile: store?.file ?? null, options });
  const stopRetention = startRetention(history, { historyDays: options.historyDays, now: options.now, onError: logError('history: pruning failed') });

  // ── routes ──
  const telemetry = new TelemetryService({ district, engine, history, options });
  const stateDocument = new StateDocument(state, { datasetVersion: district.version, staleAfterS: options.staleAfterS, simulator: options.simulator, tickMs: options.tickMs, now: options.now, districtTime: (wall) => engine.districtTime(wall) });
  const { historyReads } = await registerRoutes(http, { district, mosu, options, history, gateway, ingest: telemetry, stateDocument, state, security, ops });

  let closed = false;
  const app: App = {
    http,
    io: gateway.io,
    district,
    engine,
    loop: engine,
    state,
    gateway,
    repository: history,
    history: store,
    sampler,
    options,
    async listen() {
      const address = await http.listen({ host: options.host, port: options.port, backlog: LISTEN_BACKLOG });
      engine.start();
      return address.replace('[::1]', 'localhost').replace('0.0.0.0', 'localhost');
    },
    async close() {
      if (closed) return;
      closed = true;
      const deadline = closeConnectionsWithin(http.server, options.limits.shutdownTimeoutMs, http.log);
      engine.stop();
      stopRetention();
      await gateway.close();
      await http.close();
      await historyReads.close();
      // Nothing can write any more: keep the minute so far, then close (SQLite: checkpoints the WAL).
      try {
        await sampler.flush();
      } finally {
        await history.close();
        deadline.cancel();
        ops.close();
      }
    },
  };
  return app;
}

/** Security and operations, registered before any route (shared by ROLE=all and ROLE=gateway, see scale/roles.ts). */
export async function registerFront(
  http: FastifyInstance,
  gateway: Gateway,
  deps: { history: HistoryRepository; /** The SQLite file; null with PostgreSQL. */ historyFile: string | null; options: AppOptions },
): Promise<{ security: Security; ops: Ops }> {
  const security = await registerSecurity(http, gateway.io, deps.options);
  const ops = registerOps(http, gateway.io, { history: deps.history, historyFile: deps.historyFile, sessions: security.sessions, framesSkipped: () => gateway.framesSkipped, now: deps.options.now });
  return { security, ops };
}

export interface RouteDeps {
  district: District;
  mosu: Awaited<ReturnType<typeof loadMosu>>;
  options: AppOptions;
  history: HistoryRepository;
  gateway: Gateway;
  /** TelemetryService in one process; the forwarder to the engine on a gateway across Redis. */
  ingest: IngestPort;
  /** The document itself in one process; on a gateway across Redis, the engine's copy (scale/state.relay.ts). */
  stateDocument: StateSource;
  /** Building index and not-applicable mask for history replay. */
  state: LiveState;
  security: Security;
  ops: Ops;
  /** Where the /briefing groups live: this process when omitted; Redis on a gateway (briefing/briefing.redis.ts). */
  briefingGroups?: GroupBackend;
}

/** Every public route and namespace (shared by ROLE=all and ROLE=gateway). */
export async function registerRoutes(http: FastifyInstance, deps: RouteDeps): Promise<{ historyReads: HistoryReads }> {
  const { district, mosu, options, history, gateway, security, ops } = deps;
  const logError = (msg: string) => (err: unknown) => http.log.error({ err }, msg);
  const payloads = new DistrictPayloads(district, path.join(options.dataDir, 'cache'), logError('district: could not cache the compressed data set'));
  registerDistrictRoutes(http, { district, payloads, stateDocument: deps.stateDocument, options, clients: () => gateway.clients(), health: () => ops.health.verdict() });
  await registerTelemetryRoutes(http, { service: deps.ingest, limits: security.ingestLimits });
  registerIngestNamespace(gateway.io, deps.ingest, http.log, security.ingestLimits);
  const historyReads = registerHistoryRoutes(http, (handler) => gateway.onSocket(handler), { history, state: deps.state, now: options.now, limits: options.historyReads });
  await registerBriefing(http, gateway.io, district, options, deps.briefingGroups);
  registerMosuRoutes(http, mosu);
  registerClientBuild(http, options.clientDir);

  if (options.clientDir && fs.existsSync(path.join(options.clientDir, 'index.html'))) {
    await http.register(fastifyStatic, { root: options.clientDir, wildcard: false });
    // The views (/tour, /briefing, …) are client routes: serve the app shell for any other page request.
    http.setNotFoundHandler((req, reply) => {
      if (req.method === 'GET' && !req.url.startsWith('/api/') && !req.url.startsWith('/socket.io')) return reply.sendFile('index.html');
      return reply.code(404).send({ error: `no route for ${req.method} ${req.url.split('?')[0]}` });
    });
  }
  return { historyReads };
}
