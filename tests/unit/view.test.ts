import { describe, expect, it } from 'vitest';
import { DEFAULT_VIEW, ViewPatch, applyViewPatch, viewFromQuery, viewToQuery, type ViewState } from '@models/view.ts';

const full: ViewState = {
  mode: { kind: 'replay', atMs: Date.parse('2026-11-20T06:05:00Z'), speed: 60 },
  metric: 'computeLoad',
  lang: 'en',
  selection: { kind: 'building', id: 'mosu-space' },
  camera: { x: 120.5, z: -3400.25, distance: 900, heading: 75.5, tilt: 48 },
  filters: { clusters: ['ai-valley'], uses: ['office', 'lab'], industries: [], hasRegisteredModels: true, range: [40, 90] },
  compare: { kind: 'week' },
  alerts: [{ metric: 'occupancy', op: 'gt', threshold: 90, forMinutes: 10, cluster: 'ai-valley' }],
};

describe('the view state in a URL', () => {
  it('should read back exactly what it wrote, camera and alerts included', () => {
    const query = viewToQuery(full).toString();
    const { view, problems } = viewFromQuery(query);
    expect(problems).toEqual([]);
    expect(view).toEqual({ ...full, camera: { x: 120.5, z: -3400.3, distance: 900, heading: 75.5, tilt: 48 } });
  });

  it('should leave defaults out of the link', () => {
    expect(viewToQuery(DEFAULT_VIEW).toString()).toBe('lang=zh');
  });

  it('should ignore and name a bad parameter while keeping the rest', () => {
    const { view, problems } = viewFromQuery('lang=en&m=nonsense&sel=b:mosu-space&cam=1,2,-5,0,40');
    expect(view.lang).toBe('en');
    expect(view.metric).toBe('occupancy');
    expect(view.selection).toEqual({ kind: 'building', id: 'mosu-space' });
    expect(view.camera).toBeNull();
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^m=nonsense/);
    expect(problems[1]).toMatch(/^cam=1,2,-5,0,40: distance/);
  });

  it('should snap a replayed time to its minute', () => {
    const { view } = viewFromQuery('t=2026-11-20T06:05:42Z');
    expect(view.mode).toEqual({ kind: 'replay', atMs: Date.parse('2026-11-20T06:05:00Z'), speed: 0 });
  });
});

describe('a view patch', () => {
  it('should replace only the keys it carries', () => {
    const next = applyViewPatch(full, { metric: 'occupancy', selection: null });
    expect(next.metric).toBe('occupancy');
    expect(next.selection).toBeNull();
    expect(next.camera).toEqual(full.camera);
  });

  it('should refuse a patch with an unknown key or a bad value, naming it', () => {
    const r = ViewPatch.safeParse({ metric: 'occupancy', zoom: 3 });
    expect(r.success).toBe(false);
    const bad = ViewPatch.safeParse({ camera: { x: 0, z: 0, distance: 100, heading: 0, tilt: 120 } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['camera', 'tilt']);
  });
});
