/** Real socket.io-clients on the /briefing namespace, for the briefing tests in one process and across gateways. */
import { io as connect, type Socket } from 'socket.io-client';
import { BRIEFING_NAMESPACE, type BriefingState } from '@models/briefing.ts';
import type { BriefingAck, BriefingClientToServerEvents, BriefingServerToClientEvents } from '@models/events.ts';

/** A briefing socket that records every state it receives. */
export type BSocket = Socket<BriefingServerToClientEvents, BriefingClientToServerEvents> & { states: BriefingState[] };

/** Connect to `url`'s briefing namespace (WebSocket, no reconnection); the socket is added to `sockets` for closing. */
export async function openBriefing(url: string, sockets: BSocket[]): Promise<BSocket> {
  const s = connect(url + BRIEFING_NAMESPACE, { transports: ['websocket'], reconnection: false, forceNew: true }) as BSocket;
  s.states = [];
  s.on('briefing:state', (st) => s.states.push(st));
  sockets.push(s);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  return s;
}

/** Emit `event` with `payload` and resolve with the server's acknowledgement. */
export function call<T>(s: BSocket, event: keyof BriefingClientToServerEvents, payload: unknown): Promise<BriefingAck<T>> {
  return new Promise((resolve) => (s.emit as (e: string, p: unknown, ack: (r: BriefingAck<T>) => void) => void)(event, payload, resolve));
}

/** The last state a socket received. */
export const latest = (s: { states: BriefingState[] }) => s.states.at(-1);
