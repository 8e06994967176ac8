/**
 * The server factory: builds everything from options and returns it; `main.ts` only reads the environment and listens.
 * Tests start it on port 0.
 */
import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, Snapshot } from '@models/events.ts';
import { PROTOCOL_VERSION } from '@models/events.ts';
import type { District } from '@models/district.ts';
import type { AppOptions } from './config.ts';
import { loadDistrict } from './district/district.loader.ts';
import { loadMosu, registerMosuRoutes } from './mosu/mosu.ts';
import { registerClientBuild } from './ops/clientBuild.ts';
import { registerDistrictRoutes } from './district/district.routes.ts';
import { LiveState } from './live/live.state.ts';
import { LiveLoop } from './live/live.loop.ts';
import { HistoryStore } from './history/history.store.ts';
import { MinuteSampler } from './history/history.sampler.ts';
import { startRetention } from './history/history.retention.ts';
import { registerHistoryRoutes } from './history/history.routes.ts';
import { restoreIngested, TelemetryService } from './telemetry/telemetry.service.ts';
import { registerTelemetryRoutes } from './telemetry/telemetry.routes.ts';
import { registerIngestNamespace } from './telemetry/ingest.namespace.ts';
import { registerSecurity } from './security/register.ts';
import { serverTimeouts } from './security/http.ts';
import { registerOps } from './ops/register.ts';
import { openHistory } from './ops/startup.ts';
import { closeConnectionsWithin } from './ops/shutdown.ts';
import { registerBriefing } from './briefing/briefing.ts';

export interface App {
  http: FastifyInstance;
  io: Server<ClientToServerEvents, ServerToClientEvents>;
  district: District;
  state: LiveState;
  loop: LiveLoop;
  history: HistoryStore;
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
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(http.server, {
    serveClient: false,
    // Streaming ingest batches may be as large as an HTTP ingest body (4 MiB); screens only send small requests.
    maxHttpBufferSize: 4 * 1024 * 1024,
    // Short drops resume without a snapshot; missed non-volatile events are replayed.
    connectionStateRecovery: { maxDisconnectionDuration: 30_000, skipMiddlewares: true },
  });
  const security = await registerSecurity(http, io, options);
  const state = new LiveState(district, options.staleAfterS);
  const history = openHistory(options.dataDir);
  const ops = registerOps(http, io, { history, sessions: security.sessions, now: options.now });
  // Before the loop exists, so that its first simulated values already respect the restored ingest values.
  restoreIngested(history, state);
  const loop = new LiveLoop(state, io, { simulator: options.simulator, tickMs: options.tickMs, now: options.now, onError: (err) => http.log.error({ err }, 'tick failed') });
  const sampler = new MinuteSampler(state, history);
  loop.afterTick.push((wallNowMs) => {
    // A failing disk must not stop the tick: the wall keeps showing live values.
    try {
      sampler.sample(wallNowMs);
    } catch (err) {
      http.log.error({ err }, 'history: could not write the minute');
    }
  });
  const stopRetention = startRetention(history, { historyDays: options.historyDays, now: options.now, onError: (err) => http.log.error({ err }, 'history: pruning failed') });
  const telemetry = new TelemetryService({
    state,
    history,
    options,
    onCompanies: (changes, events) => {
      io.emit('companies:update', changes);
      for (const e of events) io.emit('district:event', e);
    },
  });

  const snapshot = (): Snapshot => ({
    protocol: PROTOCOL_VERSION,
    datasetVersion: district.version,
    serverTimeMs: options.now(),
    tickMs: options.tickMs,
    staleAfterS: options.staleAfterS,
    historyDays: options.historyDays,
    simulator: options.simulator,
    frame: loop.lastFrame,
    pools: [...state.pools.values()],
    companies: [...state.companies.values()],
  });

  io.on('connection', (socket) => {
    if (!socket.recovered) socket.emit('district:snapshot', snapshot());
  });

  registerDistrictRoutes(http, { district, state, loop, options, clients: () => io.engine.clientsCount, health: () => ops.health.verdict() });
  await registerTelemetryRoutes(http, { service: telemetry, limits: security.ingestLimits });
  registerIngestNamespace(io, telemetry, http.log, security.ingestLimits);
  const historyReads = registerHistoryRoutes(http, io, { history, state, now: options.now, limits: options.historyReads });
  await registerBriefing(http, io, district, options);
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

  let closed = false;
  const app: App = {
    http,
    io,
    district,
    state,
    loop,
    history,
    options,
    async listen() {
      const address = await http.listen({ host: options.host, port: options.port });
      loop.start();
      return address.replace('[::1]', 'localhost').replace('0.0.0.0', 'localhost');
    },
    async close() {
      if (closed) return;
      closed = true;
      const deadline = closeConnectionsWithin(http.server, options.limits.shutdownTimeoutMs, http.log);
      loop.stop();
      stopRetention();
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await http.close();
      await historyReads.close();
      // Nothing can write any more: keep the minute so far, then close (which also checkpoints the WAL).
      try {
        sampler.flush();
      } finally {
        history.close();
        deadline.cancel();
        ops.close();
      }
    },
  };
  return app;
}
