/**
 * The gateway's pre-encoded frame event (server/src/gateway/fanout.ts) is byte for byte what Socket.IO and `ws` would
 * write for `emit('metrics:frame', frame)`: the Socket.IO packet from socket.io-parser's own encoder, and the RFC 6455
 * frames from ws's own `Sender.frame`, for short, 16-bit and 64-bit lengths.
 */
import { describe, expect, it } from 'vitest';
import * as ws from 'ws';
import { Encoder, PacketType } from 'socket.io-parser';
import { preEncodeFrameEvent, wsFrameHeader } from '../../server/src/gateway/fanout.ts';

// ws's own framing (exported at runtime as Sender; not in @types/ws)
const { Sender } = ws as unknown as { Sender: { frame(data: Buffer, o: { fin: boolean; rsv1: boolean; opcode: number; mask: boolean; readOnly: boolean }): Buffer[] } };
const wsFrame = (data: Buffer, opcode: 1 | 2) => Buffer.concat(Sender.frame(data, { fin: true, rsv1: false, opcode, mask: false, readOnly: true }));

describe('pre-encoded frame event', () => {
  it('should frame text and binary messages exactly as ws does, at every length class', () => {
    for (const length of [0, 5, 125, 126, 200, 65_535, 65_536, 70_000]) {
      const data = Buffer.alloc(length, 7);
      for (const opcode of [1, 2] as const) expect(Buffer.concat([wsFrameHeader(opcode, length), data]).equals(wsFrame(data, opcode))).toBe(true);
    }
  });

  it('should write the same bytes as Socket.IO’s encoder plus ws for a binary metrics:frame event', () => {
    const frame = new Uint8Array(22_524).map((_, i) => i % 251);
    const [packet, ...attachments] = new Encoder().encode({ type: PacketType.EVENT, nsp: '/', data: ['metrics:frame', frame] }) as [string, ...Uint8Array[]];
    expect(attachments).toHaveLength(1);
    // Engine.IO "message" (4) + the Socket.IO packet as a text frame, then the attachment as a binary frame
    const expected = Buffer.concat([wsFrame(Buffer.from(`4${packet}`), 1), wsFrame(Buffer.from(attachments[0]!), 2)]);
    expect(Buffer.concat(preEncodeFrameEvent(frame)).equals(expected)).toBe(true);
  });
});
