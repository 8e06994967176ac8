/**
 * The one live connection: Socket.IO on the same origin. Reconnects forever (capped, randomised backoff), reports its
 * status to the store, and never reloads the page. Ticks go straight into the transient live buffer.
 */
import { io, type Socket } from 'socket.io-client';
import type { Ack } from '@models/api.ts';
import type { ClientToServerEvents, ServerToClientEvents, Snapshot } from '@models/events.ts';
import { PROTOCOL_VERSION } from '@models/events.ts';
import { decodeSnapshot } from '@models/snapshot.codec.ts';
import { applyCompanyStates, applyFrame, setSimulator, useTwin, type ConnectionStatus } from '../state/store.ts';
import { ensureDistrictVersion } from './api.ts';
import { markOnce } from '../perfMarks.ts';

export type TwinSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** After this long without a connection the badge says "offline" rather than "reconnecting" (it keeps trying). */
const OFFLINE_AFTER_MS = 30_000;

let socket: TwinSocket | null = null;
/** Snapshots are applied in order; a newer one supersedes one still waiting for its district. */
let snapshotGeneration = 0;

async function onSnapshot(snapshot: Snapshot): Promise<void> {
  const generation = ++snapshotGeneration;
  if (snapshot.protocol !== PROTOCOL_VERSION) console.warn(`[twin] server protocol ${snapshot.protocol}, client ${PROTOCOL_VERSION}`);
  await ensureDistrictVersion(snapshot.datasetVersion);
  if (generation !== snapshotGeneration) return;
  setSimulator(snapshot.simulator, snapshot.staleAfterS, snapshot.tickMs, { historyDays: snapshot.historyDays, serverTimeMs: snapshot.serverTimeMs });
  applyCompanyStates(snapshot.companies);
  useTwin.setState({ pools: snapshot.pools });
  applyFrame(snapshot.frame);
  markOnce('twin:snapshot-applied');
  for (const f of snapshotListeners) f();
}

/** Called after every applied snapshot (a reconnect, a new data set): replayed minutes are asked for again. */
export const snapshotListeners: Array<() => void> = [];

function onFrame(frame: ArrayBuffer | Uint8Array): void {
  const result = applyFrame(frame);
  // The server moved to another data set between snapshots: fetch it; the next frames will then fit.
  if (result === 'version-mismatch') {
    const bytes = frame instanceof Uint8Array ? frame : new Uint8Array(frame);
    const version = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
    void ensureDistrictVersion(version);
  }
}

function setConnection(connection: ConnectionStatus): void {
  if (useTwin.getState().connection !== connection) useTwin.setState({ connection });
}

export function startSocket(): TwinSocket {
  if (socket) return socket;
  const s: TwinSocket = io({
    reconnection: true,
    reconnectionAttempts: Infinity,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10_000,
    randomizationFactor: 0.5,
    timeout: 10_000,
  });
  socket = s;

  s.on('connect', () => {
    useTwin.setState({ disconnectedAtMs: null });
    setConnection('live');
  });
  s.on('disconnect', (reason) => {
    useTwin.setState({ disconnectedAtMs: performance.now() });
    setConnection(navigator.onLine === false ? 'offline' : 'reconnecting');
    // The server closed us on purpose (e.g. a restart that drains sockets): Socket.IO does not retry that by itself.
    if (reason === 'io server disconnect') s.connect();
  });
  s.on('connect_error', () => {
    if (useTwin.getState().disconnectedAtMs === null) useTwin.setState({ disconnectedAtMs: performance.now() });
    const since = useTwin.getState().disconnectedAtMs ?? performance.now();
    setConnection(navigator.onLine === false || performance.now() - since > OFFLINE_AFTER_MS ? 'offline' : 'reconnecting');
  });

  s.on('district:snapshot', (bytes) => void onSnapshot(decodeSnapshot(bytes)));
  s.on('metrics:frame', onFrame);
  s.on('companies:update', (changes) => applyCompanyStates(changes));
  s.on('pools:update', (pools) => useTwin.setState({ pools }));

  window.addEventListener('offline', () => setConnection('offline'));
  window.addEventListener('online', () => {
    if (s.connected) return;
    setConnection('reconnecting');
    // Retry now instead of waiting out the current backoff.
    s.disconnect().connect();
  });
  // "reconnecting" becomes "offline" after a while even if no connect_error arrives (e.g. the handshake hangs).
  window.setInterval(() => {
    const { connection, disconnectedAtMs } = useTwin.getState();
    if (connection === 'reconnecting' && disconnectedAtMs !== null && performance.now() - disconnectedAtMs > OFFLINE_AFTER_MS) setConnection('offline');
  }, 5000);
  return s;
}

/** How long a replay request may take before it counts as failed (the socket may be reconnecting). */
const MINUTE_TIMEOUT_MS = 15_000;

/** The whole district at a past minute, as a replay frame (`history:minute`, the same codec as live frames). */
export function requestMinute(atMs: number): Promise<ArrayBuffer | Uint8Array> {
  const s = startSocket();
  return new Promise((resolve, reject) => {
    s.timeout(MINUTE_TIMEOUT_MS).emit('history:minute', { at: new Date(atMs).toISOString() }, (err: Error | null, res: Ack<ArrayBuffer | Uint8Array>) => {
      if (err) reject(new Error('history:minute timed out'));
      else if (!res.ok) reject(new Error(res.error));
      else resolve(res.data);
    });
  });
}
