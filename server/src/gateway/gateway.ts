/**
 * The gateway's live side: Socket.IO, the snapshot on connect, and the fan-out of what the district engine publishes.
 * It keeps a mirror of what a new screen needs (the last frame, the pools, the company records), fed only by the
 * engine's messages (`EngineOutput`), so it can run in another process than the engine once a transport carries them.
 *
 * - One `io.on('connection')` for the default namespace: the snapshot first, then every handler registered with
 *   `onSocket` (history requests, …).
 * - The snapshot is binary (models/snapshot.codec.ts) and encoded at most once per tick for everyone who connects in
 *   it; the companies part is re-encoded only when a company changes.
 * - Frames go out volatile (a slow screen skips frames instead of queueing them), framed once per tick for every
 *   WebSocket screen (fanout.ts: one write per screen instead of Socket.IO's two flushes).
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import type { CompanyState, PoolState, SimulatorInfo } from '@models/api.ts';
import { PROTOCOL_VERSION, type ClientToServerEvents, type DistrictEvent, type ServerToClientEvents } from '@models/events.ts';
import { encodeCompanies, encodeSnapshot } from '@models/snapshot.codec.ts';
import type { EngineCurrent, EngineOutput, TickMessage } from '../engine/engine.interface.ts';
import { fanOutFrame, type FanoutMode } from './fanout.ts';

export type { FanoutMode } from './fanout.ts';

/** How often supplier pools go out (they are also in every snapshot). */
export const POOLS_EVERY_MS = 5000;

export type TwinServer = Server<ClientToServerEvents, ServerToClientEvents>;
export type TwinSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

export interface GatewayOptions {
  datasetVersion: number;
  tickMs: number;
  staleAfterS: number;
  /** Days of history kept (HISTORY_DAYS): how far back a screen may replay. */
  historyDays: number;
  simulator: SimulatorInfo;
  now: () => number;
  /**
   * Socket.IO adapter across gateways (ROLE=gateway: the Redis Streams adapter). Then a recovered session also gets a
   * snapshot, because what this gateway fans out is sent to its own sockets only (every gateway fans out every tick).
   */
  adapter?: ServerOptions['adapter'];
}

export class Gateway implements EngineOutput {
  readonly io: TwinServer;
  private frame: Uint8Array;
  private seq: number;
  private pools: PoolState[];
  private readonly companyRecords = new Map<string, CompanyState>();
  private companiesJson: Uint8Array | null = null;
  private snapshotCache: { seq: number; bytes: Uint8Array } | null = null;
  private poolsSentAtMs = -Infinity;
  private readonly handlers: Array<(socket: TwinSocket) => void> = [];
  /** Snapshots encoded so far (the bench and tests read it: one per tick at most, however many connect). */
  snapshotsEncoded = 0;
  /** How frames go out: pre-encoded once per tick (default), or Socket.IO's broadcast (the fan-out bench's baseline). */
  fanout: FanoutMode = 'preencoded';
  /** Frames handed to a screen pre-encoded so far (tests read it: the fast path is the one taken). */
  framesPreEncoded = 0;
  /** Frames a WebSocket screen skipped so far because it was still busy with an earlier write (volatile). */
  framesSkipped = 0;

  constructor(
    httpServer: HttpServer,
    initial: EngineCurrent,
    private readonly options: GatewayOptions,
  ) {
    this.io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
      serveClient: false,
      // Streaming ingest batches may be as large as an HTTP ingest body (4 MiB); screens only send small requests.
      maxHttpBufferSize: 4 * 1024 * 1024,
      // Short drops resume without a snapshot; missed non-volatile events are replayed.
      connectionStateRecovery: { maxDisconnectionDuration: 30_000, skipMiddlewares: true },
      ...(options.adapter && { adapter: options.adapter }),
    });
    this.frame = initial.frame;
    this.seq = initial.seq;
    this.pools = initial.pools;
    for (const c of initial.companies) this.companyRecords.set(c.companyId, c);

    this.io.on('connection', (socket) => {
      if (!socket.recovered || options.adapter) socket.emit('district:snapshot', this.snapshot());
      for (const h of this.handlers) h(socket);
    });
  }

  /** Register what every new socket of the default namespace listens to. */
  onSocket(handler: (socket: TwinSocket) => void): void {
    this.handlers.push(handler);
  }

  clients(): number {
    return this.io.engine.clientsCount;
  }

  /** Live screens on the default namespace (what a frame reaches; devices on /ingest are not screens). */
  screens(): number {
    return this.io.of('/').sockets.size;
  }

  /** The current snapshot, encoded once per tick (and again only when a company changed in between). */
  snapshot(): Uint8Array {
    if (this.snapshotCache?.seq === this.seq) return this.snapshotCache.bytes;
    const { options } = this;
    this.companiesJson ??= encodeCompanies([...this.companyRecords.values()]);
    const bytes = encodeSnapshot(
      { protocol: PROTOCOL_VERSION, datasetVersion: options.datasetVersion, serverTimeMs: options.now(), tickMs: options.tickMs, staleAfterS: options.staleAfterS, historyDays: options.historyDays, simulator: options.simulator, pools: this.pools },
      this.companiesJson,
      this.frame,
    );
    this.snapshotsEncoded++;
    this.snapshotCache = { seq: this.seq, bytes };
    return bytes;
  }

  // ── EngineOutput ──
  // Everything below goes to THIS gateway's sockets only (io.local): with several gateways each one receives every
  // engine message and fans it out to its own screens, so a screen gets each frame once whichever gateway it is on.

  tick(m: TickMessage): void {
    this.frame = m.frame;
    this.seq = m.seq;
    this.pools = m.pools;
    const io = this.io.local;
    // volatile: a client that cannot keep up skips frames instead of queueing them without bound
    const out = fanOutFrame(this.io, m.frame, this.fanout);
    this.framesPreEncoded += out.preEncoded;
    this.framesSkipped += out.skipped;
    // Not volatile: a volatile emit right after the frame finds the transport busy and is always dropped. Sent at most
    // every POOLS_EVERY_MS so a stalled client queues a handful before the heartbeat drops it.
    if (m.wallMs - this.poolsSentAtMs >= POOLS_EVERY_MS) {
      this.poolsSentAtMs = m.wallMs;
      io.emit('pools:update', m.pools);
    }
    if (m.companies.length > 0) this.companies(m.companies, []);
    for (const e of m.events) io.emit('district:event', e);
  }

  companies(changes: CompanyState[], events: DistrictEvent[]): void {
    for (const c of changes) this.companyRecords.set(c.companyId, c);
    this.companiesJson = null;
    this.snapshotCache = null;
    this.io.local.emit('companies:update', changes);
    for (const e of events) this.io.local.emit('district:event', e);
  }

  /** Start again from an engine's current state (a gateway across Redis after a restarted engine or Redis). */
  reset(current: EngineCurrent): void {
    this.frame = current.frame;
    this.seq = current.seq;
    this.pools = current.pools;
    this.companyRecords.clear();
    this.companies(current.companies, []);
  }

  close(): Promise<void> {
    this.io.disconnectSockets(true);
    return new Promise<void>((resolve) => this.io.close(() => resolve()));
  }
}
