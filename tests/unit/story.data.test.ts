import { beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { District } from '@models/district.ts';
import { resolveFigure, Story, type FigureInputs } from '@models/story.ts';
import { DataError, loadDistrict } from '../../server/src/district/district.loader.ts';
import { loadStories } from '../../server/src/briefing/story.loader.ts';

const DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));
const STORY = 'west-bund-ai';
let district: District;

beforeAll(async () => {
  district = await loadDistrict(DATA_DIR);
});

/** A copy of data/ whose story (and facts) went through `damage`. */
async function damaged(damage: { story?: (s: any) => void; storyText?: (t: string) => string; facts?: (f: any) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'wbt-story-'));
  await cp(DATA_DIR, dir, { recursive: true });
  const storyPath = join(dir, 'stories', `${STORY}.json`);
  let text = await readFile(storyPath, 'utf8');
  if (damage.story) {
    const json = JSON.parse(text);
    damage.story(json);
    text = JSON.stringify(json, null, 2);
  }
  if (damage.storyText) text = damage.storyText(text);
  await writeFile(storyPath, text);
  if (damage.facts) {
    const json = JSON.parse(await readFile(join(dir, 'facts.json'), 'utf8'));
    damage.facts(json);
    await writeFile(join(dir, 'facts.json'), JSON.stringify(json));
  }
  return dir;
}

async function rejection(dir: string): Promise<DataError> {
  const err = await loadStories(dir, district).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(DataError);
  return err as DataError;
}

function expectLine(err: DataError, line: string, contains?: string): void {
  const found = err.message.split('\n').find((l) => l.startsWith(line));
  expect(found, `no line starting with ${line} in:\n${err.message}`).toBeDefined();
  if (contains) expect(found).toContain(contains);
}

describe('the shipped story', () => {
  it('passes the schema and every reference resolves', async () => {
    const lib = await loadStories(DATA_DIR, district);
    const story = lib.stories.get(STORY)!;
    expect(Story.parse(story)).toEqual(story);
    // the district → six clusters → 模速空间 → nine pools → companies and models → the chain
    expect(story.steps.map((s) => s.id)).toEqual(['district', 'clusters', 'mosu-space', 'compute-pools', 'companies-models', 'chain']);
    for (const step of story.steps) {
      for (const t of [step.title, step.text, step.notes]) {
        expect(t.zh).toMatch(/[\u4e00-\u9fff]/);
        expect(t.en).toMatch(/[a-z]/i);
      }
      expect(step.figures.length).toBeGreaterThan(0);
      for (const f of step.figures) if (f.kind === 'fact') expect(lib.facts.get(f.id)?.source).toBeTruthy();
    }
    expect(story.steps.at(-1)!.title.zh).toBe('上下楼就是上下游');
  });

  it('never types a figure into a step: numbers in text are the sourced facts', async () => {
    const lib = await loadStories(DATA_DIR, district);
    const facts = [...lib.facts.values()].map((f) => `${f.text.zh} ${f.text.en}`).join(' ');
    for (const step of lib.stories.get(STORY)!.steps) {
      for (const n of `${step.title.en} ${step.text.en} ${step.title.zh} ${step.text.zh}`.match(/\d+/g) ?? []) expect(facts).toContain(n);
    }
  });

  it('resolves key figures from live state and facts, each with its source', async () => {
    const lib = await loadStories(DATA_DIR, district);
    const inputs: FigureInputs = {
      district,
      companies: [{ companyId: district.companies[0]!.id, buildingId: null, headcount: 0, registeredModels: 0, source: 'ingest' }],
      pools: district.suppliers.map((s) => ({ supplierId: s.id, capacityPflops: s.capacityPflops, allocatedPflops: 2, usedPflops: 1, source: 'simulated' })),
      occupancy: (i) => (i % 2 ? 0.5 : null),
      occupancySimulated: true,
      facts: [...lib.facts.values()],
    };
    const companies = resolveFigure({ kind: 'district-companies' }, inputs);
    expect(companies.value).toBe(district.companies.length - 1); // the one that moved out is not counted
    const used = resolveFigure({ kind: 'pool-total-used' }, inputs);
    expect(used).toMatchObject({ value: 9, source: 'simulated', text: { en: '9 PFLOPS' } });
    expect(resolveFigure({ kind: 'occupancy-now' }, inputs)).toMatchObject({ value: 0.5, text: { zh: '50 %' }, source: 'simulated' });
    const fact = resolveFigure({ kind: 'fact', id: 'mosu-investors' }, inputs);
    expect(fact).toMatchObject({ text: { zh: '40 余家', en: '40+' }, source: 'sourced', cite: 'seed article' });
    expect(resolveFigure({ kind: 'pool-total-used' }, { ...inputs, pools: [] }).text).toBeNull();
  });
});

describe('a damaged story stops the server naming file, step and field', () => {
  it('a step without an English title', async () => {
    const err = await rejection(await damaged({ story: (s) => delete s.steps[2].title.en }));
    expectLine(err, `data/stories/${STORY}.json: steps[2] (id "mosu-space"): title.en: `);
    expect(err.message.split('\n')).toHaveLength(1);
  });

  it('a camera pose out of range and an unknown metric', async () => {
    const err = await rejection(await damaged({ story: (s) => {
      s.steps[0].view.camera.tilt = 120;
      s.steps[1].view.metric = 'happiness';
    } }));
    expectLine(err, `data/stories/${STORY}.json: steps[0] (id "district"): view.camera.tilt: `);
    expectLine(err, `data/stories/${STORY}.json: steps[1] (id "clusters"): view.metric: `);
  });

  it('a number typed in where a key figure reference belongs', async () => {
    const err = await rejection(await damaged({ story: (s) => s.steps[3].figures.push({ kind: 'number', value: 1000 }) }));
    expectLine(err, `data/stories/${STORY}.json: steps[3] (id "compute-pools"): figures.5.kind: `);
  });

  it('a fact, a building and a cluster that do not exist', async () => {
    const err = await rejection(await damaged({ story: (s) => {
      s.steps[2].figures[0].id = 'no-such-fact';
      s.steps[2].view.selection.id = 'no-such-building';
      s.steps[1].figures[1].clusterId = 'atlantis';
    } }));
    expectLine(err, `data/stories/${STORY}.json: steps[2] (id "mosu-space"): figures.0.id: `, 'no-such-fact');
    expectLine(err, `data/stories/${STORY}.json: steps[2] (id "mosu-space"): view.selection.id: `, 'no building');
    expectLine(err, `data/stories/${STORY}.json: steps[1] (id "clusters"): figures.1.clusterId: `, 'atlantis');
  });

  it('an unknown field, a duplicate step id and a story id that is not its file name', async () => {
    const err = await rejection(await damaged({ story: (s) => {
      s.steps[4].caption = 'x';
      s.steps[5].id = 'district';
      s.id = 'other';
    } }));
    expectLine(err, `data/stories/${STORY}.json: steps[4] (id "companies-models"): caption: unknown field`);
    // a schema failure stops before the reference checks, so fix the unknown field and look again
    const err2 = await rejection(await damaged({ story: (s) => {
      s.steps[5].id = 'district';
      s.id = 'other';
    } }));
    expectLine(err2, `data/stories/${STORY}.json: steps[5] (id "district"): id: duplicate`);
    expectLine(err2, `data/stories/${STORY}.json: (file): id: `, 'file name');
  });

  it('a JSON syntax error, with line and column', async () => {
    const err = await rejection(await damaged({ storyText: (t) => t.replace('"notes":', '"notes" ') }));
    expectLine(err, `data/stories/${STORY}.json: line `, '(JSON syntax)');
  });

  it('a fact without its source', async () => {
    const err = await rejection(await damaged({ facts: (f) => delete f.facts[1].source }));
    expectLine(err, 'data/facts.json: facts[1] (id "shoreline"): source: ');
  });
});
