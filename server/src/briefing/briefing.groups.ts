/**
 * The presenter groups' state, and the only code that changes it. No sockets here: the namespace (briefing.namespace.ts)
 * authenticates, validates and calls these methods; every change is emitted to the group's room through `emit`.
 *
 * Each change is a pure step on a plain record (`GroupRecord`) run by a `GroupBackend` atomically:
 *   - `MemoryGroups` (here): a Map in this process (ROLE=all);
 *   - `RedisGroups` (briefing.redis.ts): one Redis key per group, compare-and-set by a Lua script (ROLE=gateway), so
 *     a screen joining on any gateway gets the state a remote set through another, and control is held once.
 * The same steps run in both, so one process and N gateways answer the same way.
 */
import { applyViewPatch, DEFAULT_VIEW, type ViewPatch } from '../../../models/view.ts';
import type { BriefingCommand, BriefingRefusal, BriefingState, Presenter } from '../../../models/briefing.ts';
import type { Story } from '../../../models/story.ts';

export type Result = { ok: true; state: BriefingState } | { ok: false; code: BriefingRefusal; error: string };

/** One group as stored: the state everyone sees, plus who is in it and on which gateway process. */
export interface GroupRecord {
  state: BriefingState;
  /** Screen sockets of the group (presenters are in `state.presenters`). */
  screens: string[];
  /** The gateway process holding each member socket: lets the others drop the members of a gateway that died. */
  homes: Record<string, string>;
}

/** A step: the record after it (null = the group is gone) and what the caller gets back. */
export type Step<T> = { rec: GroupRecord | null; value: T };

export interface GroupBackend {
  /** This process's id in `homes` ('' in one process). */
  readonly gatewayId: string;
  /** True when other processes share the groups (then members of dead gateways are swept, see BriefingGroups). */
  readonly shared: boolean;
  /** Run `step` on the group's record atomically. `alive(gateway)` says whether a member's gateway is still running. */
  update<T>(code: string, step: (rec: GroupRecord | null, alive: (gatewayId: string) => boolean) => Step<T>): Promise<T>;
  /** Say this process is alive and keep its groups (codes it has sockets in) from expiring. */
  heartbeat?(codes: string[]): Promise<void>;
  close(): void;
}

export interface GroupsOptions {
  stories: Map<string, Story>;
  presenterTimeoutS: number;
  now: () => number;
  /** Every state change goes to the group's room (a timeout's too). */
  emit: (state: BriefingState) => void;
  /** Where the records live; one process: MemoryGroups. */
  backend?: GroupBackend;
}

/** How often a shared backend's gateways beat and sweep their groups (see briefing.redis.ts). */
export const SWEEP_MS = 5000;

export class BriefingGroups {
  private readonly backend: GroupBackend;
  /** Sockets of this process per group, and the local attract timers. */
  private readonly local = new Map<string, number>();
  private readonly timers = new Map<string, { atMs: number; timer: NodeJS.Timeout }>();
  private readonly sweep: NodeJS.Timeout | null = null;

  constructor(private readonly o: GroupsOptions) {
    this.backend = o.backend ?? new MemoryGroups();
    if (this.backend.shared) {
      this.sweep = setInterval(() => void this.beat(), SWEEP_MS);
      this.sweep.unref();
    }
  }

  /** Heartbeat, then drop members of dead gateways (and lapse an overdue timeout) in the groups this process serves. */
  async beat(): Promise<void> {
    try {
      const codes = [...this.local.keys()];
      await this.backend.heartbeat?.(codes);
      for (const code of codes) await this.run(code, (rec) => ({ rec, value: null }));
    } catch {
      // Redis unreachable: the next beat tries again
    }
  }

  private fresh(code: string): GroupRecord {
    return {
      state: {
        group: code,
        mode: 'attract',
        storyId: this.o.stories.keys().next().value ?? null,
        step: 0,
        blank: false,
        lang: DEFAULT_VIEW.lang,
        metric: null,
        patch: null,
        seq: 0,
        presenters: [],
        controllerId: null,
        attractAtMs: null,
      },
      screens: [],
      homes: {},
    };
  }

  /**
   * Run one step atomically: first drop members whose gateway died and apply an overdue return to the attract loop,
   * then the step. Emits the state when it changed and arms the local attract timer when one is due.
   */
  private async run<T>(code: string, step: (rec: GroupRecord | null) => Step<T>): Promise<T> {
    let before = -1;
    let after: BriefingState | null = null;
    const value = await this.backend.update(code, (stored, alive) => {
      before = stored?.state.seq ?? 0; // a new group starts at seq 0: joining it as a screen changes nothing to emit
      let rec = stored;
      if (rec) {
        for (const [id, home] of Object.entries(rec.homes)) if (!alive(home)) rec = rec && this.without(rec, id).rec;
        rec = rec && this.lapse(rec, (s) => s.attractAtMs !== null && this.o.now() >= s.attractAtMs);
      }
      const r = step(rec);
      after = r.rec?.state ?? null;
      return r;
    });
    const state = after as BriefingState | null;
    if (state && state.seq !== before) {
      this.o.emit(state);
      this.arm(state);
    }
    return value;
  }

  /** Arm (once per deadline) this process's timer for a group whose presenter left. */
  private arm(s: BriefingState): void {
    if (s.controllerId !== null || s.mode === 'attract' || s.attractAtMs === null) return;
    if (this.timers.get(s.group)?.atMs === s.attractAtMs) return;
    const atMs = s.attractAtMs;
    const timer = setTimeout(() => {
      this.timers.delete(s.group);
      void this.run(s.group, (rec) => ({ rec: rec && this.lapse(rec, (cur) => cur.attractAtMs === atMs), value: null })).catch(() => {
        // Redis unreachable: the next step or sweep on any gateway lapses it
      });
    }, Math.max(0, atMs - this.o.now()));
    timer.unref?.();
    const old = this.timers.get(s.group);
    if (old) clearTimeout(old.timer);
    this.timers.set(s.group, { atMs, timer });
  }

  /** Back to the attract loop when nobody has taken control by the deadline. */
  private lapse(rec: GroupRecord, due: (s: BriefingState) => boolean): GroupRecord {
    const s = rec.state;
    if (s.controllerId !== null || s.mode === 'attract' || !due(s)) return rec;
    return this.change(rec, { mode: 'attract', blank: false, metric: null, patch: null, attractAtMs: null });
  }

  private change(rec: GroupRecord, patch: Partial<BriefingState>, more: Partial<Omit<GroupRecord, 'state'>> = {}): GroupRecord {
    return { ...rec, ...more, state: { ...rec.state, ...patch, seq: rec.state.seq + 1 } };
  }

  private counted(code: string, by: number): void {
    const n = (this.local.get(code) ?? 0) + by;
    if (n > 0) this.local.set(code, n);
    else this.local.delete(code);
  }

  async get(code: string): Promise<BriefingState | null> {
    return this.run(code, (rec) => ({ rec, value: rec?.state ?? null }));
  }

  async joinScreen(code: string, socketId: string): Promise<BriefingState> {
    const state = await this.run(code, (stored) => {
      const rec = stored ?? this.fresh(code);
      const next = { ...rec, screens: [...rec.screens.filter((id) => id !== socketId), socketId], homes: { ...rec.homes, [socketId]: this.backend.gatewayId } };
      return { rec: next, value: next.state };
    });
    this.counted(code, 1);
    return state;
  }

  /** A presenter (PIN already checked) joins; takes control when nobody holds it. */
  async joinPresenter(code: string, presenter: Presenter): Promise<BriefingState> {
    const state = await this.run(code, (stored) => {
      const rec = stored ?? this.fresh(code);
      const presenters = [...rec.state.presenters.filter((p) => p.id !== presenter.id), presenter];
      const more = { homes: { ...rec.homes, [presenter.id]: this.backend.gatewayId } };
      const next = rec.state.controllerId === null ? this.change(rec, { presenters, controllerId: presenter.id, attractAtMs: null }, more) : this.change(rec, { presenters }, more);
      return { rec: next, value: next.state };
    });
    this.counted(code, 1);
    return state;
  }

  requestControl(code: string, presenterId: string): Promise<Result> {
    return this.run<Result>(code, (rec) => {
      if (!rec || !isPresenter(rec, presenterId)) return { rec, value: { ok: false, code: 'not-joined', error: 'join the group with the PIN first' } };
      if (rec.state.controllerId === presenterId) return { rec, value: { ok: true, state: rec.state } };
      if (rec.state.controllerId !== null) {
        return { rec, value: { ok: false, code: 'busy', error: `control is held by ${holderName(rec, rec.state.controllerId)}; ask them to hand it over` } };
      }
      const next = this.change(rec, { controllerId: presenterId, attractAtMs: null });
      return { rec: next, value: { ok: true, state: next.state } };
    });
  }

  handover(code: string, fromId: string, toId: string): Promise<Result> {
    return this.run<Result>(code, (rec) => {
      if (!rec || rec.state.controllerId !== fromId) return { rec, value: { ok: false, code: 'not-controller', error: 'only the presenter holding control can hand it over' } };
      if (!isPresenter(rec, toId)) return { rec, value: { ok: false, code: 'invalid', error: `no presenter ${JSON.stringify(toId)} in group ${code}` } };
      const next = this.change(rec, { controllerId: toId, attractAtMs: null });
      return { rec: next, value: { ok: true, state: next.state } };
    });
  }

  command(code: string, presenterId: string, cmd: BriefingCommand): Promise<Result> {
    return this.run<Result>(code, (rec) => {
      if (!rec || !isPresenter(rec, presenterId)) return { rec, value: { ok: false, code: 'not-joined', error: 'join the group with the PIN first' } };
      const r = this.commandOn(rec, presenterId, cmd);
      return r.ok ? { rec: r.rec, value: { ok: true, state: r.rec.state } } : { rec, value: r };
    });
  }

  private commandOn(rec: GroupRecord, presenterId: string, cmd: BriefingCommand): { ok: true; rec: GroupRecord } | { ok: false; code: BriefingRefusal; error: string } {
    const s = rec.state;
    if (s.controllerId !== presenterId) {
      const holder = s.controllerId ? holderName(rec, s.controllerId, 'another presenter') : 'nobody';
      return { ok: false, code: 'not-controller', error: `you do not hold control (held by ${holder}); request it or ask for a handover` };
    }
    const story = s.storyId ? this.o.stories.get(s.storyId) : undefined;
    const last = story ? story.steps.length - 1 : 0;
    const toStep = (step: number): Partial<BriefingState> => ({ mode: 'story', step, metric: null, patch: null, blank: false });
    const ok = (patch: Partial<BriefingState>) => ({ ok: true as const, rec: this.change(rec, patch) });
    switch (cmd.kind) {
      case 'next':
        if (!story) return { ok: false, code: 'unknown-story', error: 'no story is loaded on the server (data/stories/)' };
        // From the attract loop, "next" starts the story at its first step.
        return ok(toStep(s.mode === 'attract' ? 0 : Math.min(s.step + 1, last)));
      case 'back':
        if (!story) return { ok: false, code: 'unknown-story', error: 'no story is loaded on the server (data/stories/)' };
        return ok(toStep(s.mode === 'attract' ? 0 : Math.max(s.step - 1, 0)));
      case 'goto': {
        const id = cmd.storyId ?? s.storyId;
        const target = id ? this.o.stories.get(id) : undefined;
        if (!target) return { ok: false, code: 'unknown-story', error: `no story ${JSON.stringify(id)}` };
        if (cmd.step >= target.steps.length) return { ok: false, code: 'invalid', error: `step must be 0..${target.steps.length - 1} for story ${target.id}` };
        return ok({ ...toStep(cmd.step), storyId: target.id });
      }
      case 'metric':
        return ok({ metric: cmd.metric });
      case 'lang':
        return ok({ lang: cmd.lang });
      case 'blank':
        return ok({ blank: cmd.blank });
      case 'attract':
        return ok({ mode: 'attract', blank: false, metric: null, patch: null });
      case 'patch':
        return ok({ patch: mergePatch(s.patch, cmd.patch) });
    }
  }

  /** A socket of this process left: forget it; if it held control, the screens return to the attract loop after the timeout. */
  async leave(code: string, socketId: string): Promise<void> {
    this.counted(code, -1);
    await this.run(code, (rec) => ({ rec: rec && this.without(rec, socketId).rec, value: null }));
  }

  /** The group without one member (null when nobody is left). */
  private without(rec: GroupRecord, socketId: string): Step<null> {
    const { [socketId]: _gone, ...homes } = rec.homes;
    const screens = rec.screens.filter((id) => id !== socketId);
    const presenters = rec.state.presenters.filter((p) => p.id !== socketId);
    if (presenters.length === 0 && screens.length === 0) return { rec: null, value: null };
    const wasPresenter = presenters.length !== rec.state.presenters.length;
    if (!wasPresenter) return { rec: { ...rec, screens, homes }, value: null };
    if (rec.state.controllerId !== socketId) return { rec: this.change(rec, { presenters }, { screens, homes }), value: null };
    const attractAtMs = rec.state.mode === 'attract' ? null : this.o.now() + this.o.presenterTimeoutS * 1000;
    return { rec: this.change(rec, { presenters, controllerId: null, attractAtMs }, { screens, homes }), value: null };
  }

  close(): void {
    if (this.sweep) clearInterval(this.sweep);
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    this.backend.close();
  }
}

const isPresenter = (rec: GroupRecord, id: string) => rec.state.presenters.some((p) => p.id === id);
const holderName = (rec: GroupRecord, id: string, otherwise = id) => rec.state.presenters.find((p) => p.id === id)?.name ?? otherwise;

/** One process: the records in a Map; a step runs synchronously, so it is atomic. */
export class MemoryGroups implements GroupBackend {
  readonly gatewayId = '';
  readonly shared = false;
  private readonly groups = new Map<string, GroupRecord>();

  async update<T>(code: string, step: (rec: GroupRecord | null, alive: (gatewayId: string) => boolean) => Step<T>): Promise<T> {
    const { rec, value } = step(this.groups.get(code) ?? null, () => true);
    if (rec) this.groups.set(code, rec);
    else this.groups.delete(code);
    return value;
  }

  close(): void {
    this.groups.clear();
  }
}

/** Patches accumulate per key (a later metric replaces an earlier one; keys not in the new patch stay). */
function mergePatch(a: ViewPatch | null, b: ViewPatch): ViewPatch {
  return a ? (applyViewPatch(a as never, b) as ViewPatch) : b;
}
