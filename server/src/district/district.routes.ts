/** Static district data, current state and health. */
import type { FastifyInstance } from 'fastify';
import type { HealthResponse, StateResponse } from '@models/api.ts';
import type { District } from '@models/district.ts';
import type { AppOptions } from '../config.ts';
import type { LiveState } from '../live/live.state.ts';
import type { LiveLoop } from '../live/live.loop.ts';

interface Deps {
  district: District;
  state: LiveState;
  loop: LiveLoop;
  options: AppOptions;
  clients: () => number;
  /** ok, or degraded with the reasons (ops/health.ts). */
  health: () => Pick<HealthResponse, 'status' | 'reasons'>;
}

export function registerDistrictRoutes(http: FastifyInstance, { district, state, loop, options, clients, health }: Deps): void {
  const startedAt = options.now();
  // The district never changes while the server runs: serialise it once.
  const districtJson = JSON.stringify(district);
  const etag = `"${district.version.toString(16)}"`;

  http.get('/healthz', async (): Promise<HealthResponse> => ({
    ...health(),
    uptimeS: Math.round((options.now() - startedAt) / 1000),
    datasetVersion: district.version,
    buildings: district.buildings.length,
    clients: clients(),
    simulator: options.simulator,
  }));

  http.get('/api/v1/district', async (req, reply) => {
    reply.header('etag', etag).header('cache-control', 'no-cache');
    if (req.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('application/json').send(districtJson);
  });

  http.get('/api/v1/state', async (): Promise<StateResponse> => {
    const wall = options.now();
    return {
      datasetVersion: district.version,
      serverTime: new Date(wall).toISOString(),
      districtTime: new Date(loop.districtTime(wall)).toISOString(),
      staleAfterS: options.staleAfterS,
      simulator: options.simulator,
      buildings: state.buildingStates(wall),
      suppliers: [...state.pools.values()],
      companies: [...state.companies.values()],
    };
  });
}
