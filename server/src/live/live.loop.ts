/**
 * The tick: advance the simulator (if on) to the district clock, write its values into the live state (respecting
 * ingest precedence), encode one binary frame and fan it out. One frame per tick, encoded once for all clients.
 */
import type { Server } from 'socket.io';
import type { SimulatorInfo } from '@models/api.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '@models/events.ts';
import { encodeFrame, FRAME_KIND, frameBytes } from '@models/frame.codec.ts';
import { Simulator } from '../sim/simulator.ts';
import type { LiveState } from './live.state.ts';
import { metrics } from '../ops/metrics.ts';

export interface LiveLoopOptions {
  simulator: SimulatorInfo;
  tickMs: number;
  now: () => number;
  onError?: (err: unknown) => void;
}

/** How often supplier pools go out (they are also in every snapshot). */
export const POOLS_EVERY_MS = 5000;

export class LiveLoop {
  readonly simulator: Simulator | null;
  seq = 0;
  lastFrame: Uint8Array;
  private timer: NodeJS.Timeout | null = null;
  private poolsSentAtMs = -Infinity;
  private readonly wallStartMs: number;
  /** Called after the state is updated and before the frame goes out (history hooks in here). */
  readonly afterTick: Array<(wallNowMs: number) => void> = [];

  constructor(
    private readonly state: LiveState,
    private readonly io: Server<ClientToServerEvents, ServerToClientEvents>,
    private readonly options: LiveLoopOptions,
  ) {
    this.wallStartMs = options.now();
    this.simulator = options.simulator.mode === 'off' ? null : new Simulator(state.district, { seed: options.simulator.seed, startMs: this.wallStartMs });
    this.lastFrame = new Uint8Array(frameBytes(state.n));
    this.update();
  }

  /** District clock: simulated time runs `speed` times faster than the wall clock from the moment the server starts. */
  districtTime(wallNowMs: number): number {
    return this.simulator ? this.wallStartMs + (wallNowMs - this.wallStartMs) * this.options.simulator.speed : wallNowMs;
  }

  start(): void {
    const loop = () => {
      // A failing tick must not stop the wall: log it and keep ticking.
      try {
        metrics.observeTick(() => this.tick(), () => this.io.of('/').sockets.size);
      } catch (err) {
        this.options.onError?.(err);
      }
      // Align to the wall clock so ticks do not drift.
      this.timer = setTimeout(loop, this.options.tickMs - (this.options.now() % this.options.tickMs));
    };
    this.timer = setTimeout(loop, this.options.tickMs - (this.options.now() % this.options.tickMs));
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Bring the state up to now and encode the current frame (no broadcast). */
  update(): void {
    const wall = this.options.now();
    const tMs = this.districtTime(wall);
    const { state, simulator } = this;
    state.districtTimeMs = tMs;
    if (simulator) {
      simulator.step(tMs);
      const force = this.options.simulator.mode === 'on';
      for (let i = 0; i < state.n; i++) {
        state.setSimulated('occupancy', i, simulator.occupancy[i]!, tMs, wall, force);
        state.setSimulated('computeLoad', i, simulator.computeLoad[i]!, tMs, wall, force);
      }
      for (const p of simulator.pools) {
        const current = state.pools.get(p.supplierId);
        if (!force && current?.source === 'ingest' && wall - current.tsMs <= state.staleAfterMs) continue;
        state.pools.set(p.supplierId, { ...p, tsMs: tMs, source: 'simulated' });
      }
      for (const index of simulator.changedCompanies) {
        const id = state.district.companies[index]!.id;
        const current = state.companies.get(id);
        if (!force && current?.source === 'ingest') continue;
        state.companies.set(id, { companyId: id, ...simulator.companyRecord(index), tsMs: tMs, source: 'simulated' });
      }
    }
    this.seq = (this.seq + 1) >>> 0;
    this.lastFrame = encodeFrame({ kind: FRAME_KIND.live, datasetVersion: state.district.version, seq: this.seq, tsMs: tMs }, state.frameValues(wall));
    for (const hook of this.afterTick) hook(wall);
  }

  tick(): void {
    this.update();
    const { io, simulator, state } = this;
    // volatile: a client that cannot keep up skips frames instead of queueing them without bound
    io.volatile.emit('metrics:frame', this.lastFrame);
    // Not volatile: a volatile emit right after the frame finds the transport busy and is always dropped. Sent at most
    // every POOLS_EVERY_MS so a stalled client queues a handful before the heartbeat drops it.
    const wall = this.options.now();
    if (wall - this.poolsSentAtMs >= POOLS_EVERY_MS) {
      this.poolsSentAtMs = wall;
      io.emit('pools:update', [...state.pools.values()]);
    }
    if (simulator) {
      if (simulator.changedCompanies.size > 0) {
        io.emit('companies:update', [...simulator.changedCompanies].map((i) => state.companies.get(state.district.companies[i]!.id)!));
      }
      for (const e of simulator.events) io.emit('district:event', e);
    }
  }
}

