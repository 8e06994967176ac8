/**
 * The district's static payloads, compressed once per data-set version: `GET /api/v1/district` (the JSON; with
 * `?footprints=omit` the same without the buildings' footprints) and `GET /api/v1/district/footprints` (the binary
 * shape, models/footprints.codec.ts, which the district worker builds the geometry from). Each is serialised once,
 * then gzip and brotli versions are made off the event loop (zlib's thread pool) and kept in memory — and on disk
 * under DATA_DIR/cache/, keyed by the data-set version, so a restart on the same data set does not compress again.
 * A response honours Accept-Encoding (br, then gzip, else identity; while the slower brotli copy is still being made,
 * gzip), varies on it, and has one ETag per encoding; a conditional request naming any of this version's ETags gets 304.
 */
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { District } from '@models/district.ts';
import { encodeFootprints } from '@models/footprints.codec.ts';

export type Encoding = 'br' | 'gzip' | 'identity';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** Brotli's best quality costs ≈ 1 s per MB; above this size a mid quality keeps start-up short at 50,000 buildings. */
const BROTLI_MAX_QUALITY_BELOW_BYTES = 2 * 1024 * 1024;

/** The encodings the client accepts, best first (q=0 refuses one). */
export function negotiate(acceptEncoding: string | string[] | undefined): Encoding[] {
  const header = Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : (acceptEncoding ?? '');
  const accepted = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const ok = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  return [...(ok('br') ? (['br'] as const) : []), ...(ok('gzip') ? (['gzip'] as const) : []), 'identity'];
}

/** One static body with its compressed copies, ETags and cache files (`${name}-${tag}-${bytes}.${ext}.br|gz`). */
export class CompressedPayload {
  readonly raw: Buffer;
  private readonly compressed: Record<Exclude<Encoding, 'identity'>, Promise<Buffer>>;
  private readonly tag: string;
  private readonly ready = new Set<Encoding>(['identity']);

  constructor(raw: Buffer, naming: { name: string; ext: string; tag: string }, cacheDir: string | null, onError?: (err: unknown) => void) {
    this.raw = raw;
    this.tag = naming.tag;
    const cached = (encoding: 'br' | 'gzip', make: () => Promise<Buffer>): Promise<Buffer> => {
      const cacheFile = cacheDir ? path.join(cacheDir, `${naming.name}-${this.tag}-${this.raw.length}.${naming.ext}.${encoding === 'br' ? 'br' : 'gz'}`) : null;
      return (async () => {
        if (cacheFile) {
          try {
            return await fs.promises.readFile(cacheFile);
          } catch {
            // not cached yet
          }
        }
        const body = await make();
        if (cacheFile) {
          const target = cacheFile;
          // Written under a temporary name then renamed: a crash never leaves half a file under the real name.
          fs.promises
            .mkdir(path.dirname(target), { recursive: true })
            .then(() => fs.promises.writeFile(`${target}.tmp`, body))
            .then(() => fs.promises.rename(`${target}.tmp`, target))
            .catch((err: unknown) => onError?.(err));
        }
        return body;
      })();
    };
    const quality = this.raw.length < BROTLI_MAX_QUALITY_BELOW_BYTES ? zlib.constants.BROTLI_MAX_QUALITY : 6;
    this.compressed = {
      br: cached('br', () => brotli(this.raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: quality, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: this.raw.length } })),
      gzip: cached('gzip', () => gzip(this.raw, { level: 9 })),
    };
    // Compress now, in the background, so the first screen does not wait for it.
    for (const [encoding, p] of Object.entries(this.compressed)) p.then(() => this.ready.add(encoding as Encoding), (err: unknown) => onError?.(err));
  }

  /** Of the accepted encodings (best first), the best one ready now; gzip is waited for (it is quick), brotli is not. */
  choose(accepted: readonly Encoding[]): Encoding {
    return accepted.find((e) => this.ready.has(e) || e === 'gzip') ?? 'identity';
  }

  etag(encoding: Encoding): string {
    return `"${this.tag}${encoding === 'identity' ? '' : `-${encoding}`}"`;
  }

  /** Whether If-None-Match names this version (in any encoding). */
  notModified(ifNoneMatch: string | undefined): boolean {
    if (!ifNoneMatch) return false;
    const mine = new Set((['identity', 'gzip', 'br'] as const).map((e) => this.etag(e)));
    return ifNoneMatch.split(',').some((t) => {
      const tag = t.trim().replace(/^W\//, '');
      return tag === '*' || mine.has(tag);
    });
  }

  body(encoding: Encoding): Promise<Buffer> | Buffer {
    return encoding === 'identity' ? this.raw : this.compressed[encoding];
  }

  /** Resolves once every compressed copy is made (or read from the cache). */
  async settled(): Promise<void> {
    await Promise.allSettled(Object.values(this.compressed));
  }
}

/** `GET /api/v1/district`: the JSON, whole. */
export class DistrictPayload extends CompressedPayload {
  constructor(district: District, cacheDir: string | null, onError?: (err: unknown) => void) {
    super(Buffer.from(JSON.stringify(district)), { name: 'district', ext: 'json', tag: district.version.toString(16) }, cacheDir, onError);
  }

  /** The JSON (identity body). */
  get json(): Buffer {
    return this.raw;
  }
}

/**
 * Everything `/api/v1/district*` serves for one data set: the JSON, the JSON without footprints (for a client that
 * takes the footprints from the binary), and the binary footprints.
 */
export class DistrictPayloads {
  readonly full: DistrictPayload;
  readonly withoutFootprints: CompressedPayload;
  readonly footprints: CompressedPayload;

  constructor(district: District, cacheDir: string | null, onError?: (err: unknown) => void) {
    const tag = district.version.toString(16);
    this.full = new DistrictPayload(district, cacheDir, onError);
    const slim = { ...district, buildings: district.buildings.map(({ footprint: _omitted, ...b }) => b) };
    this.withoutFootprints = new CompressedPayload(Buffer.from(JSON.stringify(slim)), { name: 'district-nofp', ext: 'json', tag: `${tag}-nofp` }, cacheDir, onError);
    const bin = encodeFootprints(district);
    this.footprints = new CompressedPayload(Buffer.from(bin.buffer, bin.byteOffset, bin.byteLength), { name: 'district-footprints', ext: 'bin', tag: `${tag}-fp` }, cacheDir, onError);
  }

  /** Resolves once every payload's compressed copies are made (the bench waits for it; a server never needs to). */
  async settled(): Promise<void> {
    await Promise.all([this.full.settled(), this.withoutFootprints.settled(), this.footprints.settled()]);
  }
}
