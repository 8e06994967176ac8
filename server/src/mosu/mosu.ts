/**
 * `data/mosu.json` (模速空间: sourced figures, services platforms, tenants' chain roles and links): loaded and validated
 * at start-up like the district files, its fact ids checked against data/facts.json — a bad file stops the server with every problem listed — and served at
 * `GET /api/v1/mosu` for the `/lobby` wall. A data set without the file (e.g. the bench's synthetic district) starts
 * without it; the endpoint then answers 404 and says why.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { District } from '../../../models/district.ts';
import { MOSU_FILE, MosuFile, checkMosuConsistency, mosuFactIds, type MosuResponse } from '../../../models/mosu.ts';
import { DataError, type DataIssue } from '../district/district.loader.ts';
import { readFacts } from '../facts/facts.loader.ts';

export async function loadMosu(dataDir: string, district: District): Promise<MosuResponse | null> {
  const file = join(dataDir, MOSU_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new DataError([{ file: MOSU_FILE, record: '(file)', field: '(file)', message: `cannot read ${file}: ${String(err)}` }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DataError([{ file: MOSU_FILE, record: '(file)', field: '(JSON syntax)', message: (err as Error).message }]);
  }
  const result = MosuFile.safeParse(json);
  if (!result.success) {
    throw new DataError(
      result.error.issues.map((i) => ({
        file: MOSU_FILE,
        record: i.path.length > 1 ? i.path.slice(0, -1).map(String).join('.') : '(file)',
        field: i.path.length ? String(i.path[i.path.length - 1]) : '(record)',
        message: i.message,
      })),
    );
  }
  // Its figures are facts of data/facts.json (their one home), named by id: checked here, resolved into the response.
  const issues: DataIssue[] = [];
  const facts = await readFacts(dataDir, issues, false);
  if (issues.length) throw new DataError(issues);
  const refIssues = checkMosuConsistency(result.data, district, new Set(facts.keys()));
  if (refIssues.length) throw new DataError(refIssues);
  return { ...result.data, facts: mosuFactIds(result.data).map((id) => facts.get(id)!) };
}

export function registerMosuRoutes(http: FastifyInstance, mosu: MosuResponse | null): void {
  const body = mosu ? JSON.stringify(mosu) : null;
  http.get('/api/v1/mosu', async (_req, reply) => {
    if (!body) return reply.code(404).send({ error: `this data set has no ${MOSU_FILE} (模速空间 facts and tenants); run npm run data:generate` });
    reply.header('cache-control', 'no-cache');
    return reply.type('application/json').send(body);
  });
}
