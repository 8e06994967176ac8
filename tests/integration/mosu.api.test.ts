/** GET /api/v1/mosu on a real server: the validated 模速空间 file, or a 404 that says why when the data set has none. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DATA_FILES } from '@models/district.ts';
import { MosuFile, mosuFactIds } from '@models/mosu.ts';
import { Fact } from '@models/story.ts';
import { createApp, type App } from '../../server/src/app.ts';
import { REPO_ROOT, testOptions } from '../../server/src/config.ts';

const apps: App[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const a of apps) await a.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
async function start(datasetDir?: string): Promise<string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-mosu-api-'));
  dirs.push(dataDir);
  const app = await createApp(testOptions({ dataDir, ...(datasetDir ? { datasetDir } : {}) }));
  apps.push(app);
  return app.listen();
}

describe('GET /api/v1/mosu', () => {
  it('serves data/mosu.json as validated at start-up', async () => {
    const url = await start();
    const res = await fetch(`${url}/api/v1/mosu`);
    expect(res.status).toBe(200);
    const { facts, ...file } = (await res.json()) as { facts: unknown[] };
    const body = MosuFile.parse(file);
    expect(body.buildingId).toBe('mosu-space');
    // the figures come resolved from data/facts.json (their one home), each with its source and citation
    expect(facts.map((f) => Fact.parse(f).id)).toEqual(mosuFactIds(body));
    expect(body.platforms.map((p) => p.id)).toEqual(['compute-scheduling', 'open-data', 'evaluation', 'finance', 'comprehensive-services']);
  });

  it('answers 404 naming the missing file when the data set has no mosu.json', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-dataset-'));
    dirs.push(dir);
    for (const f of Object.values(DATA_FILES)) fs.copyFileSync(path.join(REPO_ROOT, 'data', f), path.join(dir, f));
    const url = await start(dir);
    const res = await fetch(`${url}/api/v1/mosu`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toContain('mosu.json');
  });
});
