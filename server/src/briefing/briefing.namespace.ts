/**
 * The `/briefing` Socket.IO namespace: one room per group (`group:<CODE>`), so a group's state goes to its screens and
 * remotes only. Every event is validated with its schema from models/briefing.ts and authorised here: a screen socket
 * has no presenter id and cannot drive; a remote needs the PIN (failed PINs are throttled per address) and control.
 * The groups' state is in this process (ROLE=all) or in Redis shared by every gateway (ROLE=gateway); either way every
 * change is emitted by BriefingGroups to the room, which the Redis Streams adapter carries to every gateway.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Namespace, Server } from 'socket.io';
import type { FastifyBaseLogger } from 'fastify';
import { BRIEFING_NAMESPACE, BriefingCommand, ControlHandover, ControlRequest, RemoteJoin, ScreenJoin, type BriefingState } from '../../../models/briefing.ts';
import type { BriefingAck, BriefingClientToServerEvents, BriefingServerToClientEvents } from '../../../models/events.ts';
import { toInputIssues } from '../../../models/telemetry.ts';
import type { z } from 'zod';
import { BriefingGroups, type Result } from './briefing.groups.ts';

/** Failed PINs allowed per address per window; after that every join is refused until the window ends. */
export const PIN_FAILURES_PER_WINDOW = 5;
export const PIN_WINDOW_MS = 60_000;

interface SocketData {
  group?: string;
  role?: 'screen' | 'remote';
}

export type BriefingNamespace = Namespace<BriefingClientToServerEvents, BriefingServerToClientEvents, Record<string, never>, SocketData>;

export interface NamespaceOptions {
  groups: BriefingGroups;
  presenterPin: string | null;
  now: () => number;
  log: FastifyBaseLogger;
}

const room = (code: string) => `group:${code}`;
const digest = (s: string) => createHash('sha256').update(s).digest();

export function registerBriefingNamespace(io: Server, o: NamespaceOptions): { nsp: BriefingNamespace; stop: () => void } {
  const nsp = io.of(BRIEFING_NAMESPACE) as unknown as BriefingNamespace;
  const pinDigest = o.presenterPin === null ? null : digest(o.presenterPin);
  const failures = new Map<string, { count: number; windowStart: number }>();

  const invalid = <T>(error: z.ZodError, what: string): BriefingAck<T> => ({ ok: false, code: 'invalid', error: `invalid ${what}: ${error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ')}`, issues: toInputIssues(error) });
  const reply = (r: Result): BriefingAck<BriefingState> => (r.ok ? { ok: true, data: r.state } : { ok: false, code: r.code, error: r.error });
  const safeAck = <T>(ack: unknown): ((res: BriefingAck<T>) => void) => (typeof ack === 'function' ? (ack as (res: BriefingAck<T>) => void) : () => {});
  /** The shared state (Redis) could not be reached: nothing changed. */
  const unavailable = <T>(ack: (res: BriefingAck<T>) => void) => (err: unknown) => {
    o.log.warn({ err }, 'briefing: the groups’ state is unreachable');
    ack({ ok: false, code: 'unavailable', error: 'the presenter groups’ state (Redis) is unreachable right now; nothing changed, try again' });
  };

  nsp.on('connection', (socket) => {
    const address = socket.handshake.address;
    /** A join that could not be stored: the socket is in no group, as before it asked. */
    const forget = (code: string) => {
      socket.data.group = undefined;
      socket.data.role = undefined;
      void socket.leave(room(code));
    };

    socket.on('screen:join', (req, rawAck) => {
      const ack = safeAck<BriefingState>(rawAck);
      const parsed = ScreenJoin.safeParse(req);
      if (!parsed.success) return ack(invalid(parsed.error, 'screen:join'));
      if (socket.data.group) return ack({ ok: false, code: 'invalid', error: `this connection already joined group ${socket.data.group}` });
      const code = parsed.data.group;
      socket.data.group = code;
      socket.data.role = 'screen';
      void socket.join(room(code));
      o.groups.joinScreen(code, socket.id).then(
        (state) => {
          if (socket.disconnected) void o.groups.leave(code, socket.id).catch(() => {});
          ack({ ok: true, data: state });
        },
        (err: unknown) => {
          forget(code);
          unavailable(ack)(err);
        },
      );
    });

    socket.on('remote:join', (req, rawAck) => {
      const ack = safeAck<{ presenterId: string; state: BriefingState }>(rawAck);
      if (pinDigest === null) {
        return ack({ ok: false, code: 'control-off', error: 'Presenter control is off on this server: start it with PRESENTER_PIN=<pin of 4 or more characters> (see README, Briefing) and join with that PIN.' });
      }
      const now = o.now();
      const f = failures.get(address);
      if (f && now - f.windowStart < PIN_WINDOW_MS && f.count >= PIN_FAILURES_PER_WINDOW) {
        const retryAfterS = Math.ceil((f.windowStart + PIN_WINDOW_MS - now) / 1000);
        return ack({ ok: false, code: 'throttled', error: `too many wrong PINs from this address; try again in ${retryAfterS} s`, retryAfterS });
      }
      const parsed = RemoteJoin.safeParse(req);
      if (!parsed.success) return ack(invalid(parsed.error, 'remote:join'));
      if (!timingSafeEqual(digest(parsed.data.pin), pinDigest)) {
        const entry = f && now - f.windowStart < PIN_WINDOW_MS ? f : { count: 0, windowStart: now };
        entry.count++;
        failures.set(address, entry);
        o.log.warn({ address, group: parsed.data.group }, 'briefing: wrong presenter PIN');
        return ack({ ok: false, code: 'wrong-pin', error: 'wrong PIN' });
      }
      if (socket.data.group) return ack({ ok: false, code: 'invalid', error: `this connection already joined group ${socket.data.group}` });
      const code = parsed.data.group;
      socket.data.group = code;
      socket.data.role = 'remote';
      void socket.join(room(code));
      o.groups.joinPresenter(code, { id: socket.id, name: parsed.data.name ?? `Presenter ${socket.id.slice(0, 4)}` }).then(
        (state) => {
          if (socket.disconnected) void o.groups.leave(code, socket.id).catch(() => {});
          ack({ ok: true, data: { presenterId: socket.id, state } });
        },
        (err: unknown) => {
          forget(code);
          unavailable(ack)(err);
        },
      );
    });

    /** Only a remote that joined with the PIN may go further. */
    const asPresenter = (ack: (res: BriefingAck<BriefingState>) => void): string | null => {
      if (socket.data.role !== 'remote' || !socket.data.group) {
        ack({ ok: false, code: socket.data.role === 'screen' ? 'not-controller' : 'not-joined', error: socket.data.role === 'screen' ? 'a screen cannot drive the group' : 'join the group with the PIN first (remote:join)' });
        return null;
      }
      return socket.data.group;
    };

    socket.on('control:request', (req, rawAck) => {
      const ack = safeAck<BriefingState>(rawAck);
      const code = asPresenter(ack);
      if (!code) return;
      const parsed = ControlRequest.safeParse(req ?? {});
      if (!parsed.success) return ack(invalid(parsed.error, 'control:request'));
      o.groups.requestControl(code, socket.id).then((r) => ack(reply(r)), unavailable(ack));
    });

    socket.on('control:handover', (req, rawAck) => {
      const ack = safeAck<BriefingState>(rawAck);
      const code = asPresenter(ack);
      if (!code) return;
      const parsed = ControlHandover.safeParse(req);
      if (!parsed.success) return ack(invalid(parsed.error, 'control:handover'));
      o.groups.handover(code, socket.id, parsed.data.to).then((r) => ack(reply(r)), unavailable(ack));
    });

    socket.on('briefing:command', (cmd, rawAck) => {
      const ack = safeAck<BriefingState>(rawAck);
      const code = asPresenter(ack);
      if (!code) return;
      const parsed = BriefingCommand.safeParse(cmd);
      if (!parsed.success) return ack(invalid(parsed.error, 'briefing:command'));
      o.groups.command(code, socket.id, parsed.data).then((r) => ack(reply(r)), unavailable(ack));
    });

    socket.on('disconnect', () => {
      if (!socket.data.group) return;
      o.groups.leave(socket.data.group, socket.id).catch((err: unknown) => {
        // Redis unreachable: once this gateway stops beating, another's sweep drops the member; or the group expires
        o.log.warn({ err }, 'briefing: could not record that a member left');
      });
    });
  });

  // Forget old throttle windows now and then so the map cannot grow without bound.
  const sweep = setInterval(() => {
    const now = o.now();
    for (const [k, v] of failures) if (now - v.windowStart >= PIN_WINDOW_MS) failures.delete(k);
  }, PIN_WINDOW_MS);
  sweep.unref();
  return { nsp, stop: () => clearInterval(sweep) };
}

export { room as briefingRoom };
