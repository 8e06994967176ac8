/**
 * Presenter groups: screens (`/briefing?group=CODE`) and remotes (`/remote`) in one Socket.IO room per group, on the
 * `/briefing` namespace. The server keeps each group's state and is the only one that changes it: a remote that holds
 * control sends commands, the server validates and authorises them and emits `briefing:state` to the group's room.
 */
import { z } from 'zod';
import { Id } from './district.ts';
import { METRIC_IDS } from './metrics.ts';
import { LANGS, ViewPatch } from './view.ts';

export const BRIEFING_NAMESPACE = '/briefing';

/** A short code people type or put in a kiosk URL: 3–8 letters or digits, case-insensitive (stored upper-case). */
export const GroupCode = z
  .string({ error: 'group must be a code of 3–8 letters or digits' })
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{3,8}$/, 'group must be a code of 3–8 letters or digits');

export const ScreenJoin = z.strictObject({ group: GroupCode });
export type ScreenJoin = z.infer<typeof ScreenJoin>;

export const RemoteJoin = z.strictObject({
  group: GroupCode,
  pin: z.string({ error: 'pin is required' }).min(1, 'pin is required').max(64),
  /** Shown to the other presenters ("held by …"). */
  name: z.string().trim().min(1).max(40).optional(),
});
export type RemoteJoin = z.infer<typeof RemoteJoin>;

/** `control:request` carries nothing (an empty object). */
export const ControlRequest = z.strictObject({});
export type ControlRequest = z.infer<typeof ControlRequest>;

export const ControlHandover = z.strictObject({ to: z.string().min(1).max(64) });
export type ControlHandover = z.infer<typeof ControlHandover>;

export const BriefingCommand = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('next') }),
  z.strictObject({ kind: z.literal('back') }),
  /** Step index from 0; `storyId` switches story. */
  z.strictObject({ kind: z.literal('goto'), step: z.number().int().min(0), storyId: Id.optional() }),
  z.strictObject({ kind: z.literal('metric'), metric: z.enum(METRIC_IDS) }),
  z.strictObject({ kind: z.literal('lang'), lang: z.enum(LANGS) }),
  z.strictObject({ kind: z.literal('blank'), blank: z.boolean() }),
  /** Hand the screens back to their attract loop. */
  z.strictObject({ kind: z.literal('attract') }),
  /** Any part of the view state, applied after the step's own view. */
  z.strictObject({ kind: z.literal('patch'), patch: ViewPatch }),
]);
export type BriefingCommand = z.infer<typeof BriefingCommand>;

export interface Presenter {
  id: string;
  name: string;
}

/** What every screen and remote of a group shows; emitted to the group's room on every change. */
export interface BriefingState {
  group: string;
  /** `attract`: the screens run their own loop; `story`: they show `storyId` at `step`. */
  mode: 'attract' | 'story';
  storyId: string | null;
  step: number;
  blank: boolean;
  lang: (typeof LANGS)[number];
  /** A metric set by the presenter over the step's own (cleared when the step changes). */
  metric: (typeof METRIC_IDS)[number] | null;
  /** A view patch set by the presenter over the step's own (cleared when the step changes). */
  patch: ViewPatch | null;
  /** Bumped on every change, so a screen can tell it has the latest. */
  seq: number;
  presenters: Presenter[];
  /** The presenter who may send commands; null = nobody (anyone joined may request it). */
  controllerId: string | null;
  /** Server time (ms) at which the screens return to the attract loop, when nobody holds control. */
  attractAtMs: number | null;
}

/** Ack of `remote:join`: the presenter's own id, whether it got control, and the state. */
export interface RemoteJoined {
  presenterId: string;
  state: BriefingState;
}

/**
 * Why a remote was refused: `control-off` = PRESENTER_PIN not set on the server; `unavailable` = the gateway cannot
 * reach the groups' shared state (Redis, ROLE=gateway) right now, nothing changed: try again.
 */
export type BriefingRefusal = 'control-off' | 'wrong-pin' | 'throttled' | 'not-joined' | 'not-controller' | 'invalid' | 'unknown-story' | 'busy' | 'unavailable';
