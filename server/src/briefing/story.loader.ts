/**
 * Loads the stories (data/stories/*.json) and the facts they quote (data/facts.json) at start-up. A damaged file stops
 * the server with one line per problem naming the file, the step and the field, in the data set's error format
 * (`data/stories/<file>: steps[2] (id "x"): figures.1.id: <message>`), via the same `DataError`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import type { District } from '../../../models/district.ts';
import { recordLabel } from '../../../models/district.validate.ts';
import { FACTS_FILE, STORIES_DIR, Story, type Fact } from '../../../models/story.ts';
import { readFacts } from '../facts/facts.loader.ts';
import { DataError, jsonErrorOffset, type DataIssue } from '../district/district.loader.ts';

export interface StoryLibrary {
  stories: Map<string, Story>;
  facts: Map<string, Fact>;
}

export async function loadStories(dataDir: string, district: District): Promise<StoryLibrary> {
  const issues: DataIssue[] = [];
  const facts = new Map<string, Fact>();
  const stories = new Map<string, Story>();

  let storyFiles: string[] = [];
  try {
    storyFiles = (await readdir(join(dataDir, STORIES_DIR))).filter((f) => f.endsWith('.json')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }

  // The facts live in data/facts.json, shared with 模速空间's wall (server/src/facts/facts.loader.ts).
  for (const [id, f] of await readFacts(dataDir, issues, storyFiles.length === 0)) facts.set(id, f);

  for (const name of storyFiles) {
    const file = `${STORIES_DIR}/${name}`;
    const json = await readJson(join(dataDir, STORIES_DIR, name), file, issues, false);
    if (json === undefined) continue;
    const r = Story.safeParse(json);
    if (!r.success) {
      issues.push(...zodIssues(file, json, r.error.issues, 'steps'));
      continue;
    }
    const story = r.data;
    const expectedId = name.replace(/\.json$/, '');
    if (story.id !== expectedId) issues.push({ file, record: '(file)', field: 'id', message: `the story id must be the file name: ${JSON.stringify(expectedId)}, not ${JSON.stringify(story.id)}` });
    issues.push(...checkReferences(file, story, district, facts));
    stories.set(story.id, story);
  }

  if (issues.length) throw new DataError(issues);
  return { stories, facts };
}

/** Every id a story names must exist: facts, clusters, suppliers, buildings, companies; step ids unique. */
function checkReferences(file: string, story: Story, district: District, facts: Map<string, Fact>): DataIssue[] {
  const out: DataIssue[] = [];
  const has = {
    cluster: new Set(district.clusters.map((c) => c.id)),
    building: new Set(district.buildings.map((b) => b.id)),
    company: new Set(district.companies.map((c) => c.id)),
    supplier: new Set(district.suppliers.map((s) => s.id)),
  };
  const seen = new Set<string>();
  story.steps.forEach((step, i) => {
    const record = recordLabel('steps', i, step.id);
    const issue = (field: string, message: string) => out.push({ file, record, field, message });
    if (seen.has(step.id)) issue('id', `duplicate step id ${JSON.stringify(step.id)}`);
    seen.add(step.id);
    const sel = step.view.selection;
    if (sel && !has[sel.kind].has(sel.id)) issue('view.selection.id', `no ${sel.kind} ${JSON.stringify(sel.id)} in the data set`);
    step.view.filters?.clusters.forEach((c, k) => {
      if (!has.cluster.has(c)) issue(`view.filters.clusters.${k}`, `no cluster ${JSON.stringify(c)} in the data set`);
    });
    step.figures.forEach((f, k) => {
      if (f.kind === 'fact' && !facts.has(f.id)) issue(`figures.${k}.id`, `no fact ${JSON.stringify(f.id)} in data/${FACTS_FILE}`);
      if ((f.kind === 'buildings' || f.kind === 'occupancy-now') && f.clusterId && !has.cluster.has(f.clusterId)) issue(`figures.${k}.clusterId`, `no cluster ${JSON.stringify(f.clusterId)} in the data set`);
      if (f.kind === 'pool-used' && !has.supplier.has(f.supplierId)) issue(`figures.${k}.supplierId`, `no supplier ${JSON.stringify(f.supplierId)} in the data set`);
    });
  });
  return out;
}

async function readJson(path: string, file: string, issues: DataIssue[], optional: boolean): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    if (!(optional && code === 'ENOENT')) issues.push({ file, record: '(file)', field: '(file)', message: `cannot read ${path}: ${code}` });
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const offset = jsonErrorOffset(text);
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - (before.lastIndexOf('\n') + 1) + 1;
    issues.push({ file, record: `line ${line}, column ${column} (offset ${offset})`, field: '(JSON syntax)', message: (err as Error).message });
    return undefined;
  }
}

/** `['steps', 2, 'figures', 1, 'id']` → record `steps[2] (id "x")`, field `figures.1.id`. */
function zodIssues(file: string, root: unknown, zissues: readonly z.core.$ZodIssue[], collection: string): DataIssue[] {
  const out: DataIssue[] = [];
  for (const issue of zissues) {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    let record = '(file)';
    let rest = path.map(String);
    if (path[0] === collection && typeof path[1] === 'number') {
      const node = (root as Record<string, unknown[]> | null)?.[collection]?.[path[1]];
      const id = node != null && typeof node === 'object' ? (node as { id?: unknown }).id : undefined;
      record = recordLabel(collection, path[1], id);
      rest = path.slice(2).map(String);
    }
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    if (keys.length) for (const k of keys) out.push({ file, record, field: [...rest, k].join('.'), message: `unknown field ${JSON.stringify(k)} (not in the schema)` });
    else out.push({ file, record, field: rest.length ? rest.join('.') : '(record)', message: issue.message });
  }
  return out;
}
