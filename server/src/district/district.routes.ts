/** Static district data (compressed once per version), current state (streamed) and health. */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { HealthResponse } from '@models/api.ts';
import type { District } from '@models/district.ts';
import type { AppOptions } from '../config.ts';
import type { StateDocument } from '../engine/state.document.ts';
import { negotiate, type DistrictPayload } from '../gateway/district.payload.ts';

interface Deps {
  district: District;
  /** The district JSON, pre-compressed (gateway/district.payload.ts). */
  payload: DistrictPayload;
  /** The current state as JSON chunks, built once per tick off the loop (engine/state.document.ts). */
  stateDocument: StateDocument | null;
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

  // StateResponse (models/api.ts), written in chunks.
  http.get('/api/v1/state', async (_req, reply) => {
    if (!stateDocument) return reply.code(503).send({ error: 'the state document is served by ROLE=all only for now; on a gateway (ROLE=gateway) read the snapshot and frames over Socket.IO' });
    const chunks = await stateDocument.chunks();
    return reply.type('application/json').send(Readable.from(chunks));
  });
}
