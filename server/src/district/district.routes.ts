/** Static district data (compressed once per version), current state (streamed) and health. */
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import type { HealthResponse } from '@models/api.ts';
import type { District } from '@models/district.ts';
import type { AppOptions } from '../config.ts';
import { StateUnavailable, type StateSource } from '../engine/state.document.ts';
import { negotiate, type DistrictPayload } from '../gateway/district.payload.ts';

const gunzipAsync = promisify(gunzip);

interface Deps {
  district: District;
  /** The district JSON, pre-compressed (gateway/district.payload.ts). */
  payload: DistrictPayload;
  /** The current state: built once per tick off the loop (engine/state.document.ts), or on a gateway relayed from the engine (scale/state.relay.ts). */
  stateDocument: StateSource;
  options: AppOptions;
  clients: () => number;
  /** ok, or degraded with the reasons (ops/health.ts). */
  health: () => Pick<HealthResponse, 'status' | 'reasons'>;
}

export function registerDistrictRoutes(http: FastifyInstance, { district, payload, stateDocument, options, clients, health }: Deps): void {
  const startedAt = options.now();

  http.get('/healthz', async (): Promise<HealthResponse> => ({
    ...health(),
    uptimeS: Math.round((options.now() - startedAt) / 1000),
    datasetVersion: district.version,
    buildings: district.buildings.length,
    clients: clients(),
    simulator: options.simulator,
  }));

  http.get('/api/v1/district', async (req, reply) => {
    const encoding = payload.choose(negotiate(req.headers['accept-encoding']));
    reply.header('etag', payload.etag(encoding)).header('cache-control', 'no-cache').header('vary', 'accept-encoding');
    if (payload.notModified(req.headers['if-none-match'])) return reply.code(304).send();
    const body = await payload.body(encoding);
    if (encoding !== 'identity') reply.header('content-encoding', encoding);
    return reply.type('application/json').send(body);
  });

  // StateResponse (models/api.ts): written in chunks here, or the engine's gzipped copy on a gateway.
  http.get('/api/v1/state', async (req, reply) => {
    let body;
    try {
      body = await stateDocument.read();
    } catch (err) {
      if (!(err instanceof StateUnavailable)) throw err;
      return reply.code(503).header('retry-after', String(err.retryAfterS)).send({ error: err.message });
    }
    reply.type('application/json');
    if ('chunks' in body) return reply.send(Readable.from(body.chunks));
    reply.header('vary', 'accept-encoding').header('x-state-document', body.key);
    if (negotiate(req.headers['accept-encoding']).includes('gzip')) return reply.header('content-encoding', 'gzip').send(body.gzip);
    return reply.send(await gunzipAsync(body.gzip)); // zlib's thread pool: off the loop
  });
}
