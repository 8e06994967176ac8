/** The real entry point (server/src/main.ts) in a child process, for tests of signals, exits and logs. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { District } from '@models/district.ts';
import { REPO_ROOT } from '../../server/src/config.ts';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface Child {
  proc: ChildProcess;
  url: string;
  port: number;
  stdout(): string;
  stderr(): string;
}

/** Start main.ts on a free port and wait until /healthz answers. */
export async function startChild(env: Record<string, string>): Promise<Child> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => (stdout += String(d)));
  proc.stderr!.on('data', (d) => (stderr += String(d)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { proc, url, port, stdout: () => stdout, stderr: () => stderr };
}

/** Resolves when the process exits, or with null after `ms` (the process is then still running). */
export function exitedWithin(proc: ChildProcess, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | null> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve({ code: proc.exitCode, signal: proc.signalCode });
    const timer = setTimeout(() => resolve(null), ms);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

/** A raw TCP client that sends `data` and then holds the connection open, as a slow or hostile client would. */
export function holdOpen(port: number, data: string): Promise<{ socket: net.Socket; received(): string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (d) => (received += String(d)));
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('error', () => {
      // reset by the server when it cuts the connection: fine
    });
    socket.once('connect', () => socket.write(data, (err) => (err ? reject(err) : resolve({ socket, received: () => received, closed }))));
  });
}

export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
export const haveRedisServer = () => fs.existsSync(REDIS_SERVER);

/** A throwaway redis-server (no persistence) on 127.0.0.1:`port`, resolved once it answers PING. */
export async function startRedisServer(port: number, dir: string): Promise<ChildProcess> {
  const p = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => sock.write('PING\r\n'));
      sock.once('data', (d: Buffer) => {
        sock.destroy();
        resolve(String(d).startsWith('+PONG'));
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return p;
    if (p.exitCode !== null) throw new Error(`redis-server exited with ${p.exitCode}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One engine and two gateways on a redis-server of their own (ChildGroup.scaled). */
export interface ScaledSetUp {
  /** The engine's DATA_DIR (its SQLite history, Redis's directory), removed by `stopAll`. */
  dataDir: string;
  /** What every process of the set-up was started with (start another role with `group.role(env, …)`). */
  env: Record<string, string>;
  redis: ChildProcess;
  engine: Child;
  gatewayA: Child;
  gatewayB: Child;
  district: District;
  /** Start redis-server again on the same port and directory (empty: nothing is saved). */
  startRedis(): Promise<ChildProcess>;
}

/** The processes a scaled test starts (redis-server, engine, gateways), kept so that `stopAll` ends every one. */
export class ChildGroup {
  readonly procs: ChildProcess[] = [];
  private readonly dirs: string[] = [];

  /**
   * The scaled set-up with real processes: redis-server on a free port, one engine (ROLE=engine) and two gateways
   * (ROLE=gateway), each with `env` plus REDIS_URL, a fresh DATA_DIR (gateways on one machine read the engine's
   * history there), warn-level logs and a 2 s shutdown.
   */
  async scaled(tmpPrefix: string, env: Record<string, string>): Promise<ScaledSetUp> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
    this.dirs.push(dataDir);
    const redisPort = await freePort();
    const startRedis = () => this.redis(redisPort, dataDir);
    const redis = await startRedis();
    const all = { REDIS_URL: `redis://127.0.0.1:${redisPort}`, DATA_DIR: dataDir, LOG_LEVEL: 'warn', SHUTDOWN_TIMEOUT_S: '2', ...env };
    const engine = await this.role(all, 'engine');
    const [gatewayA, gatewayB] = await Promise.all([this.role(all, 'gateway'), this.role(all, 'gateway')]);
    const district = (await (await fetch(`${gatewayA.url}/api/v1/district`)).json()) as District;
    return { dataDir, env: all, redis, engine, gatewayA, gatewayB, district, startRedis };
  }

  async redis(port: number, dir: string): Promise<ChildProcess> {
    const p = await startRedisServer(port, dir);
    this.procs.push(p);
    return p;
  }

  /** The real entry point with `env` as one role of the scaled set-up. */
  async role(env: Record<string, string>, role: 'engine' | 'gateway'): Promise<Child> {
    const child = await startChild({ ...env, ROLE: role });
    this.procs.push(child.proc);
    return child;
  }

  /** SIGKILL what is still running and wait for every process to be gone. */
  async stopAll(): Promise<void> {
    for (const p of this.procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await Promise.all(this.procs.map((p) => exitedWithin(p, 10_000)));
    for (const d of this.dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  }
}
