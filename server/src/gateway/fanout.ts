/**
 * The frame fan-out, written once per tick for every screen on this gateway.
 *
 * Socket.IO's broadcast encodes a binary event once (a text packet `51-["metrics:frame",{"_placeholder":true,"num":0}]`
 * and the frame as an attachment), but then, per socket, hands the two to Engine.IO as two packets: the text one is
 * encoded, framed and written, and the attachment waits for that write's callback (the transport is busy) before it is
 * encoded, framed and written in a second flush. Socket.IO pre-computes the WebSocket frame only for text-only
 * packets. So per screen and tick: two flushes, two framings, two socket writes, a callback round in between.
 *
 * Here the two WebSocket messages (RFC 6455 frames, unmasked as a server sends them, no compression) are framed once
 * per tick; every WebSocket screen gets them as ONE Engine.IO packet carrying `wsPreEncodedFrame` (the hook Socket.IO's
 * own adapter uses), which Engine.IO hands straight to `ws`'s `sendFrame`: one corked write of [text frame + binary
 * frame header, frame bytes] per screen, nothing encoded per socket. The bytes on the wire are exactly what
 * Socket.IO's broadcast writes (tests/integration/fanout.light.test.ts checks a real socket.io-client decodes them).
 * Semantics kept: volatile (a screen whose transport is still busy with the previous write skips this frame), this
 * gateway's sockets only (`io.local`), not stored for connection-state recovery (volatile events never are).
 * A screen whose transport cannot take a pre-encoded frame (HTTP long-polling before its upgrade, or a server with
 * per-message deflate) gets Socket.IO's own volatile emit.
 */
import type { Server } from 'socket.io';

/** 'preencoded': framed once per tick (the default); 'broadcast': Socket.IO's volatile broadcast (the bench's baseline). */
export type FanoutMode = 'preencoded' | 'broadcast';

/** The Socket.IO packet of a binary `metrics:frame` event with its one attachment, as Engine.IO message `4…`. */
const FRAME_EVENT_TEXT = Buffer.from('451-["metrics:frame",{"_placeholder":true,"num":0}]');

/** RFC 6455 frame header, FIN set, unmasked (server to client). opcode 1 = text, 2 = binary. */
export function wsFrameHeader(opcode: 1 | 2, length: number): Buffer {
  if (length < 126) return Buffer.from([0x80 | opcode, length]);
  if (length < 65_536) {
    const b = Buffer.alloc(4);
    b[0] = 0x80 | opcode;
    b[1] = 126;
    b.writeUInt16BE(length, 2);
    return b;
  }
  const b = Buffer.alloc(10);
  b[0] = 0x80 | opcode;
  b[1] = 127;
  b.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
  b.writeUInt32BE(length >>> 0, 6);
  return b;
}

/** The two WebSocket messages of one `metrics:frame` event: [text frame + binary frame header, the frame's bytes]. */
export function preEncodeFrameEvent(frame: Uint8Array): [Buffer, Buffer] {
  const head = Buffer.concat([wsFrameHeader(1, FRAME_EVENT_TEXT.length), FRAME_EVENT_TEXT, wsFrameHeader(2, frame.byteLength)]);
  return [head, Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength)];
}

interface EngineTransport {
  name: string;
  writable: boolean;
  _canSendPreEncodedFrame?: (packet: { options: { wsPreEncodedFrame: unknown } }) => boolean;
}

/**
 * Send `frame` to every screen of the default namespace on this gateway. Returns how many got it pre-encoded and how
 * many WebSocket screens skipped it because their transport was still busy (polling screens and the broadcast mode
 * skip inside Socket.IO, uncounted).
 */
export function fanOutFrame(io: Server, frame: Uint8Array, mode: FanoutMode): { preEncoded: number; skipped: number } {
  if (mode === 'broadcast') {
    io.local.volatile.emit('metrics:frame', frame);
    return { preEncoded: 0, skipped: 0 };
  }
  const wire = preEncodeFrameEvent(frame);
  const probe = { options: { wsPreEncodedFrame: wire } };
  let preEncoded = 0;
  let skipped = 0;
  for (const socket of io.of('/').sockets.values()) {
    const transport = socket.conn.transport as unknown as EngineTransport;
    if (transport.name === 'websocket' && transport._canSendPreEncodedFrame?.(probe) === true) {
      if (!transport.writable) {
        skipped++; // volatile: busy with an earlier write, skip this frame
        continue;
      }
      socket.conn.write(frame as Buffer, { wsPreEncodedFrame: wire } as never);
      preEncoded++;
    } else {
      socket.volatile.emit('metrics:frame', frame);
    }
  }
  return { preEncoded, skipped };
}
