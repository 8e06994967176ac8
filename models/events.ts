/** The Socket.IO contract. Server: `Server<ClientToServerEvents, ServerToClientEvents>`; client: `Socket<ServerToClientEvents, ClientToServerEvents>`. */
import type { Ack, CompanyState, PoolState, SimulatorInfo } from './api.ts';
import type { Bilingual } from './district.ts';
import type { IngestAccepted, TelemetryBatch } from './telemetry.ts';

/** 2: `district:snapshot` is binary (snapshot.codec.ts). */
export const PROTOCOL_VERSION = 2;

/**
 * Sent to every client on connect (and after a recovery that could not replay missed frames), as bytes encoded once
 * per tick with snapshot.codec.ts; `decodeSnapshot` gives this.
 */
export interface Snapshot {
  protocol: typeof PROTOCOL_VERSION;
  datasetVersion: number;
  serverTimeMs: number;
  tickMs: number;
  staleAfterS: number;
  /** Days of history the server keeps (HISTORY_DAYS): how far back a screen can replay. */
  historyDays: number;
  simulator: SimulatorInfo;
  /** The current frame, encoded with frame.codec.ts. */
  frame: ArrayBuffer | Uint8Array;
  pools: PoolState[];
  companies: CompanyState[];
}

export const DISTRICT_EVENT_KINDS = ['moved-in', 'moved-out', 'model-registered', 'headcount-grew'] as const;
export type DistrictEventKind = (typeof DISTRICT_EVENT_KINDS)[number];

/** Something worth a caption: a company moved in, passed model registration, grew. */
export interface DistrictEvent {
  tsMs: number;
  kind: DistrictEventKind;
  companyId: string;
  buildingId: string | null;
  text: Bilingual;
  source: 'simulated' | 'ingest';
}

export interface ServerToClientEvents {
  /** A binary snapshot (snapshot.codec.ts): `decodeSnapshot(bytes)` gives a `Snapshot`. */
  'district:snapshot': (snapshot: ArrayBuffer | Uint8Array) => void;
  /** One binary frame per tick (frame.codec.ts). Sent volatile: a slow client skips frames rather than queueing them. */
  'metrics:frame': (frame: ArrayBuffer | Uint8Array) => void;
  /** Supplier pools, at most every 5 s (gateway/gateway.ts POOLS_EVERY_MS). */
  'pools:update': (pools: PoolState[]) => void;
  'companies:update': (changes: CompanyState[]) => void;
  'district:event': (event: DistrictEvent) => void;
}

export interface ClientToServerEvents {
  /** The whole district at a past minute (ISO time), as a replay frame. */
  'history:minute': (request: { at: string }, ack: (res: Ack<ArrayBuffer | Uint8Array>) => void) => void;
}

/** The `/ingest` namespace, for devices that stream; token in `auth.token` of the handshake. */
export interface IngestClientToServerEvents {
  'telemetry:batch': (batch: TelemetryBatch, ack: (res: Ack<IngestAccepted>) => void) => void;
}
export type IngestServerToClientEvents = Record<string, never>;

export const INGEST_NAMESPACE = '/ingest';

// ---------------------------------------------------------------------------------------------------------------
// Presenter groups: the `/briefing` namespace (models/briefing.ts; server/src/briefing/)

import type { BriefingCommand, BriefingRefusal, BriefingState, ControlHandover, ControlRequest, RemoteJoin, RemoteJoined, ScreenJoin } from './briefing.ts';
import type { InputIssue } from './telemetry.ts';

/** Ack of a briefing request: the data, or what was wrong and a code the remote can act on. */
export type BriefingAck<T> =
  | { ok: true; data: T }
  | { ok: false; error: string; code: BriefingRefusal; issues?: InputIssue[]; retryAfterS?: number };

export interface BriefingClientToServerEvents {
  /** A screen follows a group (no PIN: a screen can watch, never drive). */
  'screen:join': (req: ScreenJoin, ack: (res: BriefingAck<BriefingState>) => void) => void;
  /** A remote joins a group with the presenter PIN; it gets control when nobody holds it. */
  'remote:join': (req: RemoteJoin, ack: (res: BriefingAck<RemoteJoined>) => void) => void;
  /** Take control when nobody holds it. */
  'control:request': (req: ControlRequest, ack: (res: BriefingAck<BriefingState>) => void) => void;
  /** The controller hands control to another presenter of the group. */
  'control:handover': (req: ControlHandover, ack: (res: BriefingAck<BriefingState>) => void) => void;
  /** Only from the presenter holding control. */
  'briefing:command': (cmd: BriefingCommand, ack: (res: BriefingAck<BriefingState>) => void) => void;
}

export interface BriefingServerToClientEvents {
  /** The group's state, to its room, on every change (and to a screen or remote when it joins). */
  'briefing:state': (state: BriefingState) => void;
}
