import { describe, expect, it } from 'vitest';
import { StoryStep } from '@models/story.ts';
import { DEFAULT_VIEW, type ViewState } from '@models/view.ts';
import { stepFromView } from '../../client/src/ui/SaveStep.tsx';

const fields = { id: 'media-port', titleZh: '西岸传媒港', titleEn: 'West Bund Media Port', textZh: '六个片区之一。', textEn: 'One of the six clusters.' };

describe('save this view as a story step', () => {
  it('turns the view into a valid StoryStep: camera, metric, selection, filters, time and compare; not language or alerts', () => {
    const view: ViewState = {
      ...DEFAULT_VIEW,
      lang: 'en',
      metric: 'computeLoad',
      selection: { kind: 'cluster', id: 'media-port' },
      camera: { x: 10, z: -20, distance: 900, heading: 30, tilt: 45 },
      mode: { kind: 'replay', atMs: 1_700_000_040_000, speed: 60 },
      filters: { ...DEFAULT_VIEW.filters, hasRegisteredModels: true },
      compare: { kind: 'week' },
      alerts: [{ metric: 'occupancy', op: 'gt', threshold: 90, forMinutes: 0 }],
    };
    const step = StoryStep.parse(stepFromView(view, fields, null));
    expect(step.id).toBe('media-port');
    expect(step.title).toEqual({ zh: '西岸传媒港', en: 'West Bund Media Port' });
    expect(step.view).toEqual({
      mode: { kind: 'replay', atMs: 1_700_000_040_000, speed: 0 },
      metric: 'computeLoad',
      selection: { kind: 'cluster', id: 'media-port' },
      camera: view.camera,
      filters: view.filters,
      compare: { kind: 'week' },
    });
    expect(step.figures).toEqual([]);
  });

  it('uses the camera as it stands when the view has none (home view moved by hand is written back anyway)', () => {
    const pose = { x: 1, z: 2, distance: 3000, heading: 0, tilt: 50 };
    expect(stepFromView(DEFAULT_VIEW, fields, pose).view.camera).toEqual(pose);
  });

  it('refuses a step without both languages or with a bad id, naming the field', () => {
    const r = StoryStep.safeParse(stepFromView(DEFAULT_VIEW, { ...fields, id: 'Bad Id', titleEn: '' }, null));
    expect(r.success).toBe(false);
    const paths = r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('id');
    expect(paths).toContain('title.en');
  });
});
