/**
 * `GET /api/v1/build`: the id of the client build in the served directory (`build.json`, written by the Vite build).
 * Read again when the file changes (a deployment may replace dist/client under a running server), so walls learn of a
 * new build without a restart and reload themselves (client/src/net/buildReload.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { BuildResponse } from '../../../models/api.ts';

export function registerClientBuild(http: FastifyInstance, clientDir: string | null | undefined): void {
  let cached: { mtimeMs: number; buildId: string | null } | null = null;
  const read = (): string | null => {
    if (!clientDir) return null;
    const file = path.join(clientDir, 'build.json');
    try {
      const { mtimeMs } = fs.statSync(file);
      if (cached?.mtimeMs !== mtimeMs) {
        const body = JSON.parse(fs.readFileSync(file, 'utf8')) as { buildId?: unknown };
        cached = { mtimeMs, buildId: typeof body.buildId === 'string' && body.buildId ? body.buildId : null };
      }
      return cached.buildId;
    } catch {
      return null;
    }
  };
  http.get('/api/v1/build', async (_req, reply): Promise<BuildResponse> => {
    reply.header('cache-control', 'no-store');
    return { buildId: read() };
  });
}
