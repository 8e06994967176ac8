/**
 * The presenter groups' state, and the only code that changes it. No sockets here: the namespace (briefing.namespace.ts)
 * authenticates, validates and calls these methods, then emits the returned state to the group's room.
 */
import { applyViewPatch, DEFAULT_VIEW, type ViewPatch } from '../../../models/view.ts';
import type { BriefingCommand, BriefingRefusal, BriefingState, Presenter } from '../../../models/briefing.ts';
import type { Story } from '../../../models/story.ts';

export type Result = { ok: true; state: BriefingState } | { ok: false; code: BriefingRefusal; error: string };

interface Group {
  state: BriefingState;
  screens: Set<string>;
  presenters: Map<string, Presenter>;
  attractTimer: NodeJS.Timeout | null;
}

export interface GroupsOptions {
  stories: Map<string, Story>;
  presenterTimeoutS: number;
  now: () => number;
  /** Called when a group's state changes without a request (the presenter timeout). */
  onTimeout: (state: BriefingState) => void;
}

export class BriefingGroups {
  private readonly groups = new Map<string, Group>();
  constructor(private readonly o: GroupsOptions) {}

  get(code: string): BriefingState | null {
    return this.groups.get(code)?.state ?? null;
  }

  private group(code: string): Group {
    let g = this.groups.get(code);
    if (!g) {
      g = {
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
        screens: new Set(),
        presenters: new Map(),
        attractTimer: null,
      };
      this.groups.set(code, g);
    }
    return g;
  }

  private change(g: Group, patch: Partial<BriefingState>): BriefingState {
    g.state = { ...g.state, ...patch, presenters: [...g.presenters.values()], seq: g.state.seq + 1 };
    return g.state;
  }

  joinScreen(code: string, socketId: string): BriefingState {
    const g = this.group(code);
    g.screens.add(socketId);
    return g.state;
  }

  /** A presenter (PIN already checked) joins; takes control when nobody holds it. */
  joinPresenter(code: string, presenter: Presenter): BriefingState {
    const g = this.group(code);
    g.presenters.set(presenter.id, presenter);
    if (g.state.controllerId === null) return this.giveControl(g, presenter.id);
    return this.change(g, {});
  }

  requestControl(code: string, presenterId: string): Result {
    const g = this.groups.get(code);
    if (!g || !g.presenters.has(presenterId)) return { ok: false, code: 'not-joined', error: 'join the group with the PIN first' };
    if (g.state.controllerId === presenterId) return { ok: true, state: g.state };
    if (g.state.controllerId !== null) {
      const holder = g.presenters.get(g.state.controllerId)?.name ?? g.state.controllerId;
      return { ok: false, code: 'busy', error: `control is held by ${holder}; ask them to hand it over` };
    }
    return { ok: true, state: this.giveControl(g, presenterId) };
  }

  handover(code: string, fromId: string, toId: string): Result {
    const g = this.groups.get(code);
    if (!g || g.state.controllerId !== fromId) return { ok: false, code: 'not-controller', error: 'only the presenter holding control can hand it over' };
    if (!g.presenters.has(toId)) return { ok: false, code: 'invalid', error: `no presenter ${JSON.stringify(toId)} in group ${code}` };
    return { ok: true, state: this.giveControl(g, toId) };
  }

  private giveControl(g: Group, presenterId: string): BriefingState {
    if (g.attractTimer) clearTimeout(g.attractTimer);
    g.attractTimer = null;
    return this.change(g, { controllerId: presenterId, attractAtMs: null });
  }

  command(code: string, presenterId: string, cmd: BriefingCommand): Result {
    const g = this.groups.get(code);
    if (!g || !g.presenters.has(presenterId)) return { ok: false, code: 'not-joined', error: 'join the group with the PIN first' };
    if (g.state.controllerId !== presenterId) {
      const holder = g.state.controllerId ? (g.presenters.get(g.state.controllerId)?.name ?? 'another presenter') : 'nobody';
      return { ok: false, code: 'not-controller', error: `you do not hold control (held by ${holder}); request it or ask for a handover` };
    }
    const s = g.state;
    const story = s.storyId ? this.o.stories.get(s.storyId) : undefined;
    const last = story ? story.steps.length - 1 : 0;
    const toStep = (step: number): Partial<BriefingState> => ({ mode: 'story', step, metric: null, patch: null, blank: false });
    switch (cmd.kind) {
      case 'next':
        if (!story) return { ok: false, code: 'unknown-story', error: 'no story is loaded on the server (data/stories/)' };
        // From the attract loop, "next" starts the story at its first step.
        return { ok: true, state: this.change(g, toStep(s.mode === 'attract' ? 0 : Math.min(s.step + 1, last))) };
      case 'back':
        if (!story) return { ok: false, code: 'unknown-story', error: 'no story is loaded on the server (data/stories/)' };
        return { ok: true, state: this.change(g, toStep(s.mode === 'attract' ? 0 : Math.max(s.step - 1, 0))) };
      case 'goto': {
        const id = cmd.storyId ?? s.storyId;
        const target = id ? this.o.stories.get(id) : undefined;
        if (!target) return { ok: false, code: 'unknown-story', error: `no story ${JSON.stringify(id)}` };
        if (cmd.step >= target.steps.length) return { ok: false, code: 'invalid', error: `step must be 0..${target.steps.length - 1} for story ${target.id}` };
        return { ok: true, state: this.change(g, { ...toStep(cmd.step), storyId: target.id }) };
      }
      case 'metric':
        return { ok: true, state: this.change(g, { metric: cmd.metric }) };
      case 'lang':
        return { ok: true, state: this.change(g, { lang: cmd.lang }) };
      case 'blank':
        return { ok: true, state: this.change(g, { blank: cmd.blank }) };
      case 'attract':
        return { ok: true, state: this.change(g, { mode: 'attract', blank: false, metric: null, patch: null }) };
      case 'patch':
        return { ok: true, state: this.change(g, { patch: mergePatch(s.patch, cmd.patch) }) };
    }
  }

  /** A socket left: forget it; if it held control, the screens return to the attract loop after the timeout. */
  leave(code: string, socketId: string): BriefingState | null {
    const g = this.groups.get(code);
    if (!g) return null;
    g.screens.delete(socketId);
    const wasPresenter = g.presenters.delete(socketId);
    if (g.presenters.size === 0 && g.screens.size === 0) {
      if (g.attractTimer) clearTimeout(g.attractTimer);
      this.groups.delete(code);
      return null;
    }
    if (!wasPresenter) return null;
    if (g.state.controllerId !== socketId) return this.change(g, {});
    const timeoutMs = this.o.presenterTimeoutS * 1000;
    const state = this.change(g, { controllerId: null, attractAtMs: g.state.mode === 'attract' ? null : this.o.now() + timeoutMs });
    if (g.state.mode !== 'attract') {
      g.attractTimer = setTimeout(() => {
        g.attractTimer = null;
        if (g.state.controllerId !== null || this.groups.get(code) !== g) return;
        this.o.onTimeout(this.change(g, { mode: 'attract', blank: false, metric: null, patch: null, attractAtMs: null }));
      }, timeoutMs);
      g.attractTimer.unref?.();
    }
    return state;
  }

  close(): void {
    for (const g of this.groups.values()) if (g.attractTimer) clearTimeout(g.attractTimer);
    this.groups.clear();
  }
}

/** Patches accumulate per key (a later metric replaces an earlier one; keys not in the new patch stay). */
function mergePatch(a: ViewPatch | null, b: ViewPatch): ViewPatch {
  return a ? (applyViewPatch(a as never, b) as ViewPatch) : b;
}
