/** Static district data (compressed once per version), current state (streamed) and health. */
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { DistrictFootprintsQuery, DistrictQuery, type ErrorResponse, type HealthResponse } from '@models/api.ts';
import { FOOTPRINTS_CONTENT_TYPE } from '@models/footprints.codec.ts';
import { toInputIssues } from '@models/telemetry.ts';
import type { District } from '@models/district.ts';
import type { AppOptions } from '../config.ts';
import { StateUnavailable, type StateSource } from '../engine/state.document.ts';
import { negotiate, type CompressedPayload, type DistrictPayloads } from '../gateway/district.payload.ts';

const gunzipAsync = promisify(gunzip);

interface Deps {
  district: District;
  /** The district JSON (whole and without footprints) and the binary footprints, pre-compressed (gateway/district.payload.ts). */
  payloads: DistrictPayloads;
  /** The current state: built once per tick off the loop (engine/state.document.ts), or on a gateway relayed from the engine (scale/state.relay.ts). */
  stateDocument: StateSource;
  options: AppOptions;
  clients: () => number;
  /** ok, or degraded with the reasons (ops/health.ts). */
  health: () => Pick<HealthResponse, 'status' | 'reasons'>;
}

export function registerDistrictRoutes(http: FastifyInstance, { district, payloads, stateDocument, options, clients, health }: Deps): void {
  const startedAt = options.now();

  http.get('/healthz', async (): Promise<HealthResponse> => ({
    ...health(),
    uptimeS: Math.round((options.now() - startedAt) / 1000),
    datasetVersion: district.version,
    buildings: district.buildings.length,
    clients: clients(),
    simulator: options.simulator,
  }));

  const send = async (req: FastifyRequest, reply: FastifyReply, payload: CompressedPayload, type: string) => {
    const encoding = payload.choose(negotiate(req.headers['accept-encoding']));
    reply.header('etag', payload.etag(encoding)).header('cache-control', 'no-cache').header('vary', 'accept-encoding');
    if (payload.notModified(req.headers['if-none-match'])) return reply.code(304).send();
    const body = await payload.body(encoding);
    if (encoding !== 'identity') reply.header('content-encoding', encoding);
    return reply.type(type).send(body);
  };
  const badQuery = (reply: FastifyReply, error: z.ZodError) => {
    const issues = toInputIssues(error);
    return reply.code(400).send({ error: `bad query parameters: ${[...new Set(issues.map((i) => i.path || i.message))].join(', ')}`, issues } satisfies ErrorResponse);
  };

  http.get('/api/v1/district', async (req, reply) => {
    const query = DistrictQuery.safeParse(req.query);
    if (!query.success) return badQuery(reply, query.error);
    return send(req, reply, query.data.footprints === 'omit' ? payloads.withoutFootprints : payloads.full, 'application/json');
  });

  // the district's shape in binary (models/footprints.codec.ts): what the district worker builds the geometry from
  http.get('/api/v1/district/footprints', async (req, reply) => {
    const query = DistrictFootprintsQuery.safeParse(req.query);
    if (!query.success) return badQuery(reply, query.error);
    return send(req, reply, payloads.footprints, FOOTPRINTS_CONTENT_TYPE);
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
