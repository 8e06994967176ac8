/**
 * The two halves of `createApp` (server/src/app.ts) as separate processes joined by Redis (scale/redis.transport.ts):
 *
 *   ROLE=engine   district engine + simulator + minute sampler + history writes + forwarded ingest + the state
 *                 document (scale/state.relay.ts); HTTP: /healthz, /metrics
 *   ROLE=gateway  HTTP, Socket.IO (Redis Streams adapter across gateways), routes; frames from the engine's stream;
 *                 ingest forwarded to the engine and answered 2xx only once the engine has stored it; /api/v1/state
 *                 relayed from the engine; /briefing groups kept in Redis (briefing/briefing.redis.ts)
 *
 * ROLE=all (the default, `npm start`) is createApp itself: both halves in one process, no Redis.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { HealthResponse } from '@models/api.ts';
import { decodeHeader, frameColumns, NOT_APPLICABLE, Q_NA } from '@models/frame.codec.ts';
import type { AppOptions } from '../config.ts';
import { registerFront, registerRoutes } from '../app.ts';
import { loadDistrict } from '../district/district.loader.ts';
import { loadMosu } from '../mosu/mosu.ts';
import { LiveState } from '../live/live.state.ts';
import { DistrictEngine } from '../engine/district.engine.ts';
import type { EngineCurrent, TickMessage } from '../engine/engine.interface.ts';
import { Gateway } from '../gateway/gateway.ts';
import { MinuteSampler } from '../history/history.sampler.ts';
import { startRetention } from '../history/history.retention.ts';
import { restoreIngested, TelemetryService, ingestTokenCheck } from '../telemetry/telemetry.service.ts';
import { LISTEN_BACKLOG, serverTimeouts } from '../security/http.ts';
import { registerOps } from '../ops/register.ts';
import { openHistoryRepository } from '../ops/startup.ts';
import { closeConnectionsWithin } from '../ops/shutdown.ts';
import { blockingDuplicate, connectAdapterClient, connectRedis, EngineFeed, EnginePublisher, type FeedTarget } from './redis.transport.ts';
import { IngestForwarder, IngestServer } from './ingest.forward.ts';
import { sharedIngestLimits } from './limits.redis.ts';
import { StateDocument } from '../engine/state.document.ts';
import { StateRelay, StateServer } from './state.relay.ts';
import { RedisGroups } from '../briefing/briefing.redis.ts';
import { EngineLease } from './engine.lease.ts';

export interface RoleApp {
  http: FastifyInstance;
  buildings: number;
  listen(): Promise<string>;
  close(): Promise<void>;
}

const baseUrl = (address: string) => address.replace('[::1]', 'localhost').replace('0.0.0.0', 'localhost');

function requireRedis(options: AppOptions): string {
  if (!options.redisUrl) throw new Error(`ROLE=${options.role} needs REDIS_URL`);
  return options.redisUrl;
}

export async function createEngineApp(options: AppOptions): Promise<RoleApp> {
  const redisUrl = requireRedis(options);
  const district = await loadDistrict(options.datasetDir);
  const http = Fastify({ logger: { level: options.logLevel }, ...serverTimeouts(options.limits) });
  const logError = (msg: string) => (err: unknown) => http.log.error({ err }, msg);
  // History: SQLite in DATA_DIR, or PostgreSQL at HISTORY_URL (the engine is its one writer).
  const { repository: history, store } = await openHistoryRepository(options);

  // restored from history only once this process holds the lease (a standby's copy would be old by then)
  const state = new LiveState(district, options.staleAfterS, { simulatorOverridesIngest: options.simulator.mode === 'on' });
  const engine = new DistrictEngine(state, { simulator: options.simulator, tickMs: options.tickMs, now: options.now, onError: (err, where) => http.log.error({ err }, `engine: ${where} failed`) });
  const sampler = new MinuteSampler(state, history, { onError: logError('history: could not write the minute') });
  engine.afterPublish.push((wallNowMs) => sampler.sample(wallNowMs));

  const redis = await connectRedis(redisUrl, () => {
    // reported once per outage by the publisher and the ingest server
  });
  const publisher = new EnginePublisher(redis, () => engine.current(), http.log);
  engine.publishTo(publisher);

  // No screens here; /metrics and the health of history writes as in one process.
  const ops = registerOps(http, null, { history, historyFile: store?.file ?? null, sessions: { total: () => 0, of: () => 0 }, now: options.now });
  let stopRetention = () => {};
  // One writer: this process runs the district only while it holds the lease (scale/engine.lease.ts).
  const lease = new EngineLease(redis, options.engineLeaseMs, http.log);
  const telemetry = new TelemetryService({ district, engine, history, options });
  const ingest = new IngestServer(await blockingDuplicate(redis, () => {}), redis, telemetry, options.now, http.log);
  // /api/v1/state for every gateway: built here once per revision and tick, read from Redis by the gateways.
  const stateSubscriber = redis.duplicate();
  stateSubscriber.on('error', () => {});
  await stateSubscriber.connect();
  const stateDocument = new StateDocument(state, { datasetVersion: district.version, staleAfterS: options.staleAfterS, simulator: options.simulator, tickMs: options.tickMs, now: options.now, districtTime: (wall) => engine.districtTime(wall) });
  const stateServer = new StateServer(redis, stateSubscriber, stateDocument, publisher.epoch, options.tickMs, http.log);

  const startedAt = options.now();
  http.get('/healthz', async (): Promise<HealthResponse & { role: 'engine'; standby: boolean; seq: number; stateBuilds: number }> => ({
    ...ops.health.verdict(),
    role: 'engine',
    standby: !lease.holding,
    seq: engine.seq,
    stateBuilds: stateServer.builds,
    uptimeS: Math.round((options.now() - startedAt) / 1000),
    datasetVersion: district.version,
    buildings: district.buildings.length,
    clients: 0,
    simulator: options.simulator,
  }));

  let closed = false;
  return {
    http,
    buildings: district.buildings.length,
    async listen() {
      // /healthz answers while standing by (`standby: true`)
      const address = await http.listen({ host: options.host, port: options.port });
      // Lead while holding the lease; on losing it (Redis unreachable for a whole lease, or another engine holds it)
      // stop writing at once, stand by again, and take over afresh (restored from history) when the lease is free.
      const lead = async () => {
        while (!closed) {
          if (!(await lease.acquire()) || closed) return;
          await restoreIngested(history, state);
          await ingest.start();
          await stateServer.start();
          // Gateways can start from the state as restored, before the first tick.
          await publisher.announce();
          stopRetention = startRetention(history, { historyDays: options.historyDays, now: options.now, onError: logError('history: pruning failed') });
          engine.start();
          const why = await new Promise<string>((resolve) => lease.keep(resolve));
          engine.stop();
          stopRetention();
          stopRetention = () => {};
          await stateServer.stop();
          await ingest.stop();
          if (!closed) http.log.warn(`engine: standing by again (${why})`);
        }
      };
      void lead().catch((err: unknown) => {
        http.log.error({ err }, 'engine: could not take over');
        process.exitCode = 1;
        process.kill(process.pid, 'SIGTERM');
      });
      return baseUrl(address);
    },
    async close() {
      if (closed) return;
      closed = true;
      engine.stop();
      await lease.release();
      stopRetention();
      await ingest.stop();
      await http.close();
      try {
        await sampler.flush();
      } finally {
        await history.close();
        ops.close();
        stateSubscriber.destroy();
        redis.destroy();
      }
    },
  };
}

/** The not-applicable mask of compute load (history replay needs it), mirrored from the engine's frames. */
function mirrorNotApplicable(state: LiveState, frame: Uint8Array): void {
  const { value } = state.metrics.computeLoad;
  const { count } = decodeHeader(frame);
  const { computeQ } = frameColumns(frame, count);
  for (let i = 0; i < Math.min(state.n, count); i++) value[i] = computeQ[i] === Q_NA ? NOT_APPLICABLE : NaN;
}

export async function createGatewayApp(options: AppOptions): Promise<RoleApp> {
  const redisUrl = requireRedis(options);
  const district = await loadDistrict(options.datasetDir);
  const mosu = await loadMosu(options.datasetDir, district);
  const http = Fastify({ logger: { level: options.logLevel }, bodyLimit: 1_048_576, ...serverTimeouts(options.limits) });
  // History reads: PostgreSQL at HISTORY_URL (the engine's database, from any machine), else the SQLite store in
  // DATA_DIR (then the engine's DATA_DIR on the same machine: SQLite lets other processes read it).
  const { repository: history, store } = await openHistoryRepository(options);

  const redis = await connectRedis(redisUrl, () => {
    // reported once per outage by the feed and the forwarder
  });
  const reader = await blockingDuplicate(redis, () => {});
  const lastId = await EngineFeed.lastId(reader);
  const start = await EngineFeed.waitForCurrent(reader, http.log);

  const adapterClient = await connectAdapterClient(redisUrl);
  const state = new LiveState(district, options.staleAfterS);
  mirrorNotApplicable(state, start.current.frame);
  const gateway = new Gateway(http.server, start.current, {
    datasetVersion: district.version,
    tickMs: options.tickMs,
    staleAfterS: options.staleAfterS,
    historyDays: options.historyDays,
    simulator: options.simulator,
    now: options.now,
    adapter: createAdapter(adapterClient),
  });
  const target: FeedTarget = {
    tick: (m: TickMessage) => {
      mirrorNotApplicable(state, m.frame);
      gateway.tick(m);
    },
    companies: (changes, events) => gateway.companies(changes, events),
    reset: (current: EngineCurrent) => {
      mirrorNotApplicable(state, current.frame);
      gateway.reset(current);
    },
  };
  const feed = new EngineFeed(reader, target, http.log);

  const { security, ops } = await registerFront(http, gateway, { history, historyFile: store?.file ?? null, options });
  // The ingest budget and the wrong-token lockout counted in Redis, shared by every gateway (scale/limits.redis.ts).
  security.ingestLimits = sharedIngestLimits(redis, options, http.log);
  const subscriber = redis.duplicate();
  subscriber.on('error', () => {});
  await subscriber.connect();
  const forwarder = new IngestForwarder(redis, subscriber, ingestTokenCheck(options.ingestToken), options.now);
  await forwarder.start();
  const stateRelay = new StateRelay(redis, subscriber);
  await stateRelay.start();
  const briefingGroups = new RedisGroups(redis);
  await briefingGroups.start();
  const { historyReads } = await registerRoutes(http, { district, mosu, options, history, gateway, ingest: forwarder, stateDocument: stateRelay, state, security, ops, briefingGroups });

  let closed = false;
  return {
    http,
    buildings: district.buildings.length,
    async listen() {
      const address = await http.listen({ host: options.host, port: options.port, backlog: LISTEN_BACKLOG });
      feed.start({ epoch: start.epoch, seq: start.current.seq, lastId });
      return baseUrl(address);
    },
    async close() {
      if (closed) return;
      closed = true;
      const deadline = closeConnectionsWithin(http.server, options.limits.shutdownTimeoutMs, http.log);
      await feed.stop();
      forwarder.close();
      stateRelay.close();
      await gateway.close();
      await http.close();
      await historyReads.close();
      await history.close();
      deadline.cancel();
      ops.close();
      subscriber.destroy();
      reader.destroy();
      adapterClient.destroy();
      redis.destroy();
    },
  };
}
