/**
 * `GET /api/v1/district`, compressed once per data-set version: the JSON is serialised once, then gzip and brotli
 * versions are made off the event loop (zlib's thread pool) and kept in memory — and on disk under
 * DATA_DIR/cache/, keyed by the data-set version, so a restart on the same data set does not compress again.
 * The response honours Accept-Encoding (br, then gzip, else identity; while the slower brotli copy is still being made,
 * gzip), varies on it, and has one ETag per encoding; a conditional request naming any of this version's ETags gets 304.
 */
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { District } from '@models/district.ts';

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

export class DistrictPayload {
  readonly json: Buffer;
  private readonly compressed: Record<Exclude<Encoding, 'identity'>, Promise<Buffer>>;
  private readonly tag: string;
  private readonly ready = new Set<Encoding>(['identity']);

  constructor(district: District, cacheDir: string | null, onError?: (err: unknown) => void) {
    this.json = Buffer.from(JSON.stringify(district));
    this.tag = district.version.toString(16);
    const cached = (encoding: 'br' | 'gzip', make: () => Promise<Buffer>): Promise<Buffer> => {
      const file = cacheDir ? path.join(cacheDir, `district-${this.tag}-${this.json.length}.json.${encoding === 'br' ? 'br' : 'gz'}`) : null;
      return (async () => {
        if (file) {
          try {
            return await fs.promises.readFile(file);
          } catch {
            // not cached yet
          }
        }
        const body = await make();
        if (file) {
          // Written under a temporary name then renamed: a crash never leaves half a file under the real name.
          fs.promises
            .mkdir(path.dirname(file), { recursive: true })
            .then(() => fs.promises.writeFile(`${file}.tmp`, body))
            .then(() => fs.promises.rename(`${file}.tmp`, file))
            .catch((err: unknown) => onError?.(err));
        }
        return body;
      })();
    };
    const quality = this.json.length < BROTLI_MAX_QUALITY_BELOW_BYTES ? zlib.constants.BROTLI_MAX_QUALITY : 6;
    this.compressed = {
      br: cached('br', () => brotli(this.json, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: quality, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: this.json.length } })),
      gzip: cached('gzip', () => gzip(this.json, { level: 9 })),
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
    return encoding === 'identity' ? this.json : this.compressed[encoding];
  }
}
