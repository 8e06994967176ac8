/**
 * The `/briefing` namespace: a screen or a remote of a presenter group. Multiplexed on the page's one Socket.IO
 * connection (same origin, same manager); reconnects by itself and joins its group again after a reconnect.
 */
import { io, type Socket } from 'socket.io-client';
import { BRIEFING_NAMESPACE, type BriefingState } from '@models/briefing.ts';
import type { BriefingAck, BriefingClientToServerEvents, BriefingServerToClientEvents } from '@models/events.ts';

export type BriefingSocket = Socket<BriefingServerToClientEvents, BriefingClientToServerEvents>;

export function openBriefingSocket(onState: (state: BriefingState) => void, onConnect: (socket: BriefingSocket) => void): BriefingSocket {
  const s: BriefingSocket = io(BRIEFING_NAMESPACE, { reconnection: true, reconnectionDelayMax: 10_000 });
  s.on('briefing:state', onState);
  s.on('connect', () => onConnect(s));
  return s;
}

export function request<T>(socket: BriefingSocket, event: keyof BriefingClientToServerEvents, payload: unknown): Promise<BriefingAck<T>> {
  return new Promise((resolve) => {
    (socket.emit as (e: string, p: unknown, ack: (r: BriefingAck<T>) => void) => void)(event, payload, resolve);
  });
}
