/**
 * data/facts.json is the one home of sourced facts: data/mosu.json names them by id (no figure typed twice), the
 * server checks the references at start-up with one line per problem, and resolves them into GET /api/v1/mosu.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { District } from '@models/district.ts';
import { mosuFactIds } from '@models/mosu.ts';
import { FactsFile } from '@models/story.ts';
import { DataError, loadDistrict } from '../../server/src/district/district.loader.ts';
import { loadMosu } from '../../server/src/mosu/mosu.ts';

const DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));
let district: District;
beforeAll(async () => {
  district = await loadDistrict(DATA_DIR);
});

async function copyWith(edit: { mosu?: (m: any) => void; facts?: (f: any) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'wbt-facts-'));
  await cp(DATA_DIR, dir, { recursive: true });
  for (const [file, fn] of [['mosu.json', edit.mosu], ['facts.json', edit.facts]] as const) {
    if (!fn) continue;
    const json = JSON.parse(await readFile(join(dir, file), 'utf8'));
    fn(json);
    await writeFile(join(dir, file), JSON.stringify(json));
  }
  return dir;
}

async function rejection(dir: string): Promise<string[]> {
  const err = await loadMosu(dir, district).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(DataError);
  return (err as DataError).message.split('\n');
}

describe('one home for sourced facts', () => {
  it('mosu.json carries no figure of its own: every one it shows is a fact of facts.json, resolved with its source', async () => {
    const raw = JSON.parse(await readFile(join(DATA_DIR, 'mosu.json'), 'utf8'));
    expect(raw.facts).toBeUndefined();
    const facts = FactsFile.parse(JSON.parse(await readFile(join(DATA_DIR, 'facts.json'), 'utf8'))).facts;
    const mosu = (await loadMosu(DATA_DIR, district))!;
    expect(mosu.facts.map((f) => f.id)).toEqual(mosuFactIds(mosu));
    for (const f of mosu.facts) expect(f).toEqual(facts.find((x) => x.id === f.id));
    // the figures the issue names for 模速空间's platforms, each once, in facts.json
    const byId = new Map(mosu.facts.map((f) => [f.id, f]));
    expect(byId.get('mosu-registrations')?.value).toBe(15);
    expect(byId.get('mosu-investors')?.value).toBe(40);
    expect(byId.get('mosu-aum')?.value).toBe(800e9);
    expect(byId.get('mosu-served')?.value).toBe(43);
    expect(byId.get('mosu-first-phase')?.value).toBe(20000);
    expect(byId.get(mosu.linkFactId)?.value).toBe(1);
    // the same number is not typed into mosu.json (no digits in it but ids, labels and sources)
    expect(JSON.stringify(raw)).not.toMatch(/"value"/);
  });

  it('a platform naming a fact facts.json does not have: one line naming file, record and field', async () => {
    const lines = await rejection(await copyWith({ mosu: (m) => m.platforms[3].factIds.push('no-such-fact') }));
    expect(lines).toContainEqual(expect.stringMatching(/^data\/mosu\.json: platforms\[3\] \(id "finance"\): factIds: no fact "no-such-fact" in facts\.json$/));
  });

  it('the link fact removed from facts.json stops the start with a line for mosu.json', async () => {
    const lines = await rejection(await copyWith({ facts: (f) => (f.facts = f.facts.filter((x: { id: string }) => x.id !== 'telecom-one-hop')) }));
    expect(lines).toContainEqual(expect.stringMatching(/^data\/mosu\.json: \(file\): linkFactId: no fact "telecom-one-hop" in facts\.json$/));
  });

  it('a fact without its short citation names facts.json, the record and the field', async () => {
    const lines = await rejection(await copyWith({ facts: (f) => delete f.facts[8].cite }));
    expect(lines).toContainEqual(expect.stringMatching(/^data\/facts\.json: facts\[8\] \(id "mosu-investors"\): cite: /));
  });
});
