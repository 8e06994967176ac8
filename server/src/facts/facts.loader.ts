/**
 * data/facts.json, the one home of sourced facts (models/story.ts `FactsFile`): read and validated here for both its
 * readers — the stories (server/src/briefing/story.loader.ts) and 模速空间's wall (server/src/mosu/mosu.ts) — so a fact
 * is typed once and every cross-file reference is checked against the same list.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { recordLabel } from '../../../models/district.validate.ts';
import { FACTS_FILE, FactsFile, type Fact } from '../../../models/story.ts';
import { jsonErrorOffset, type DataIssue } from '../district/district.loader.ts';

/** The facts by id; problems are appended to `issues` (one line each: file, record, field). Missing + optional = empty. */
export async function readFacts(dataDir: string, issues: DataIssue[], optional: boolean): Promise<Map<string, Fact>> {
  const facts = new Map<string, Fact>();
  const path = join(dataDir, FACTS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    if (!(optional && code === 'ENOENT')) issues.push({ file: FACTS_FILE, record: '(file)', field: '(file)', message: `cannot read ${path}: ${code}` });
    return facts;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const offset = jsonErrorOffset(text);
    const before = text.slice(0, offset);
    const column = offset - (before.lastIndexOf('\n') + 1) + 1;
    issues.push({ file: FACTS_FILE, record: `line ${before.split('\n').length}, column ${column} (offset ${offset})`, field: '(JSON syntax)', message: (err as Error).message });
    return facts;
  }
  const r = FactsFile.safeParse(json);
  if (!r.success) {
    for (const issue of r.error.issues) {
      const path = issue.path.map(String);
      const i = path[0] === 'facts' && /^\d+$/.test(path[1] ?? '') ? Number(path[1]) : -1;
      const id = i >= 0 ? ((json as { facts?: Array<{ id?: unknown }> }).facts?.[i]?.id) : undefined;
      const record = i >= 0 ? recordLabel('facts', i, id) : '(file)';
      const rest = i >= 0 ? path.slice(2) : path;
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
      if (keys.length) for (const k of keys) issues.push({ file: FACTS_FILE, record, field: [...rest, k].join('.'), message: `unknown field ${JSON.stringify(k)} (not in the schema)` });
      else issues.push({ file: FACTS_FILE, record, field: rest.length ? rest.join('.') : '(record)', message: issue.message });
    }
    return facts;
  }
  r.data.facts.forEach((f, i) => {
    if (facts.has(f.id)) issues.push({ file: FACTS_FILE, record: recordLabel('facts', i, f.id), field: 'id', message: `duplicate fact id ${JSON.stringify(f.id)}` });
    facts.set(f.id, f);
  });
  return facts;
}
