/**
 * A light protocol-level screen for the fan-out bench (issue 9): Engine.IO v4 / Socket.IO v5 spoken by hand over one
 * WebSocket (`ws`), no socket.io-client and no Socket.IO parser, so thousands fit in a few child processes.
 *
 *   server → `0{"sid":…,"pingInterval":…}`   Engine.IO open          → we send `40` (connect the default namespace)
 *   server → `40{"sid":…}`                    namespace connected
 *   server → `2`                              ping                    → we send `3` (pong)
 *   server → `451-["metrics:frame",{"_placeholder":true,"num":0}]` then one binary message: the frame
 *   server → `451-["district:snapshot",…]` then one binary message: the snapshot
 *   server → `42[…]`                          other events (pools, companies, district events): ignored
 *
 * Of a frame only the 24-byte header is read (models/frame.codec.ts `decodeHeader`): its seq and its time. A
 * binary event with more than one attachment, or any binary message nobody announced, is a protocol error here
 * (the server sends neither), so the client cannot silently count something else as frames.
 * tests/integration/fanout.light.test.ts checks it against a real socket.io-client on the same server.
 */
import WebSocket from 'ws';
import { decodeHeader } from '@models/frame.codec.ts';

export interface LightClientEvents {
  /** After the namespace connect and the first snapshot: the screen is live. */
  onSnapshot?: (client: LightClient) => void;
  /** One `metrics:frame`: its seq, its own time (ms since the epoch) and when it arrived here (Date.now()). */
  onFrame?: (client: LightClient, seq: number, tsMs: number, arrivedMs: number) => void;
  /** The connection ended (or never opened); `error` when it was not ours to end. */
  onClose?: (client: LightClient, error: string | null) => void;
}

/** `http://host:port` → the WebSocket-only Engine.IO endpoint of the default Socket.IO path. */
export function engineUrl(base: string): string {
  return `${base.replace(/^http/, 'ws').replace(/\/$/, '')}/socket.io/?EIO=4&transport=websocket`;
}

export class LightClient {
  readonly ws: WebSocket;
  snapshots = 0;
  frames = 0;
  /** Engine.IO pings answered. */
  pongs = 0;
  private pending: string | null = null;
  private closing = false;
  private done = false;

  constructor(
    base: string,
    private readonly on: LightClientEvents = {},
  ) {
    this.ws = new WebSocket(engineUrl(base), { perMessageDeflate: false, handshakeTimeout: 120_000 });
    this.ws.on('message', (data: Buffer, isBinary: boolean) => (isBinary ? this.binary(data) : this.text(data.toString())));
    this.ws.on('error', (err) => this.end(err.message));
    this.ws.on('close', (code) => this.end(this.closing ? null : `closed by the server (${code})`));
  }

  private text(s: string): void {
    if (this.pending !== null) return this.end(`a text packet while the attachment of "${this.pending}" was awaited`);
    switch (s[0]) {
      case '0': // Engine.IO open: connect the default namespace
        this.ws.send('40');
        return;
      case '2': // ping
        this.pongs++;
        this.ws.send('3');
        return;
      case '1': // close
        return this.end('engine closed by the server');
      case '6': // noop
        return;
      case '4':
        break;
      default:
        return this.end(`unexpected Engine.IO packet ${JSON.stringify(s.slice(0, 40))}`);
    }
    // Engine.IO message: a Socket.IO packet
    const type = s[1];
    if (type === '0' || type === '2') return; // namespace connected; a plain event (pools, companies, events)
    if (type === '4') return this.end(`namespace refused: ${s.slice(2, 200)}`);
    if (type === '1') return this.end('namespace disconnected by the server');
    if (type !== '5') return this.end(`unexpected Socket.IO packet ${JSON.stringify(s.slice(0, 40))}`);
    // binary event: `5<attachments>-["name",…]`
    const dash = s.indexOf('-', 2);
    const attachments = Number(s.slice(2, dash));
    if (attachments !== 1) return this.end(`binary event with ${attachments} attachments`);
    const nameStart = s.indexOf('["', dash) + 2;
    this.pending = s.slice(nameStart, s.indexOf('"', nameStart));
  }

  private binary(data: Buffer): void {
    const event = this.pending;
    this.pending = null;
    if (event === 'metrics:frame') {
      const arrived = Date.now();
      const h = decodeHeader(data);
      this.frames++;
      this.on.onFrame?.(this, h.seq, h.tsMs, arrived);
    } else if (event === 'district:snapshot') {
      if (++this.snapshots === 1) this.on.onSnapshot?.(this);
    } else if (event === null) {
      this.end('a binary message nobody announced');
    }
  }

  private end(error: string | null): void {
    if (this.done) return;
    this.done = true;
    if (error !== null && this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
    this.on.onClose?.(this, error);
  }

  /** Leave with Socket.IO's goodbye and a normal WebSocket close. */
  close(): void {
    this.closing = true;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send('41');
    this.ws.close();
  }

  /** Drop the TCP connection without a goodbye (a restart, a cable pulled). */
  drop(): void {
    this.closing = true;
    this.ws.terminate();
  }
}
