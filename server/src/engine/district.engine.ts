/**
 * The district engine: the one writer. Each tick it advances the simulator (if on) to the district clock, offers its
 * values to the live state (where engine/precedence.ts decides against real readings), encodes one binary frame for
 * everyone and publishes the tick through `EngineOutput` — and only then runs the after-publish hooks (the minute
 * sampler), so no history write ever delays a frame. Durable ingest reaches it through `applyIngest` (EngineIngest).
 *
 * It knows nothing of HTTP or Socket.IO: the gateway (server/src/gateway/) subscribes to what it publishes.
 */
import type { CompanyState, SimulatorInfo } from '@models/api.ts';
import type { DistrictEvent } from '@models/events.ts';
import { encodeFrame, FRAME_KIND } from '@models/frame.codec.ts';
import { Simulator } from '../sim/simulator.ts';
import type { LiveState } from '../live/live.state.ts';
import { metrics } from '../ops/metrics.ts';
import { StateIngest } from './ingest.apply.ts';
import type { EngineCurrent, EngineIngest, EngineOutput, IngestChanges, TickMessage } from './engine.interface.ts';

export interface DistrictEngineOptions {
  simulator: SimulatorInfo;
  tickMs: number;
  now: () => number;
  onError?: (err: unknown, where: string) => void;
  /** Screens a published frame reaches (the gateway knows; counted for /metrics as frame deliveries). */
  screens?: () => number;
}

export class DistrictEngine implements EngineIngest {
  readonly simulator: Simulator | null;
  seq = 0;
  lastFrame: Uint8Array;
  private timer: NodeJS.Timeout | null = null;
  private readonly wallStartMs: number;
  private readonly outputs: EngineOutput[] = [];
  private readonly ingest: StateIngest;
  /** Run after each tick is published (history hooks in here); a failing hook is reported, never stops the tick. */
  readonly afterPublish: Array<(wallNowMs: number) => void> = [];

  constructor(
    readonly state: LiveState,
    private readonly options: DistrictEngineOptions,
  ) {
    this.wallStartMs = options.now();
    this.simulator = options.simulator.mode === 'off' ? null : new Simulator(state.district, { seed: options.simulator.seed, startMs: this.wallStartMs });
    this.ingest = new StateIngest(state, options.now, (changes, events) => {
      for (const o of this.outputs) o.companies(changes, events);
    });
    this.lastFrame = this.update().frame;
  }

  /** Subscribe an output (a gateway, or a publisher to other processes). */
  publishTo(output: EngineOutput): void {
    this.outputs.push(output);
  }

  /** District clock: simulated time runs `speed` times faster than the wall clock from the moment the engine starts. */
  districtTime(wallNowMs: number): number {
    return this.simulator ? this.wallStartMs + (wallNowMs - this.wallStartMs) * this.options.simulator.speed : wallNowMs;
  }

  /** What a gateway needs before the next tick. */
  current(): EngineCurrent {
    const { state } = this;
    return { seq: this.seq, districtTimeMs: state.districtTimeMs, frame: this.lastFrame, pools: [...state.pools.values()], companies: [...state.companies.values()] };
  }

  start(): void {
    const loop = () => {
      // A failing tick must not stop the wall: log it and keep ticking.
      try {
        metrics.observeTick(() => this.tick(), this.options.screens ?? (() => 0));
      } catch (err) {
        this.options.onError?.(err, 'tick');
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

  /** Bring the state up to now and encode the current frame (nothing is published). */
  update(): TickMessage {
    const wall = this.options.now();
    const tMs = this.districtTime(wall);
    const { state, simulator } = this;
    state.districtTimeMs = tMs;
    const companies: CompanyState[] = [];
    let events: DistrictEvent[] = [];
    if (simulator) {
      simulator.step(tMs);
      state.offerSimulatedColumn('occupancy', simulator.occupancy, tMs, wall);
      state.offerSimulatedColumn('computeLoad', simulator.computeLoad, tMs, wall);
      for (const p of simulator.pools) state.offerPool({ ...p, tsMs: tMs, source: 'simulated' }, wall);
      for (const index of simulator.changedCompanies) {
        const company: CompanyState = { companyId: state.district.companies[index]!.id, ...simulator.companyRecord(index), tsMs: tMs, source: 'simulated' };
        if (state.offerCompany(company, wall)) companies.push(company);
      }
      events = [...simulator.events];
    }
    this.seq = (this.seq + 1) >>> 0;
    // A fresh buffer each tick, never a reused one: the published frame is shared (gateways keep it for snapshots and
    // late screens, sockets may still be sending it after the next tick), so it must never be written again. It is one
    // allocation of frameBytes(n) (112 kB at 50,000 buildings) outside V8's young generation; the rest of the tick
    // allocates only the few small records it publishes (tests/bench/tick.alloc.ts measures it).
    this.lastFrame = encodeFrame({ kind: FRAME_KIND.live, datasetVersion: state.district.version, seq: this.seq, tsMs: tMs }, state.frameValues(wall));
    return { seq: this.seq, districtTimeMs: tMs, wallMs: wall, frame: this.lastFrame, pools: [...state.pools.values()], companies, events };
  }

  /** One tick: update, publish, then the after-publish hooks (history). */
  tick(): void {
    const message = this.update();
    for (const o of this.outputs) o.tick(message);
    for (const hook of this.afterPublish) {
      try {
        hook(message.wallMs);
      } catch (err) {
        this.options.onError?.(err, 'after-publish hook');
      }
    }
  }

  applyIngest(changes: IngestChanges): { applied: number } {
    return this.ingest.applyIngest(changes);
  }

  company(companyId: string): CompanyState | undefined {
    return this.ingest.company(companyId);
  }
}
