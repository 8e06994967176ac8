import { describe, expect, it } from 'vitest';
import { M_PER_DEG_LAT, M_PER_DEG_LON, project, ringAreaM2, unproject } from '@models/geo.ts';

const origin = { lat: 31.17, lon: 121.46 };

describe('projection into the local metric frame', () => {
  it('puts the origin at 0,0 with east = +x and north = −z', () => {
    expect(project(origin, [121.46, 31.17])).toEqual([0, -0]);
    const [x, z] = project(origin, [121.47, 31.18]);
    expect(x).toBeCloseTo(953, 0);
    expect(z).toBeCloseTo(-1109.5, 0);
  });

  it('matches known distances: Lupu Bridge to Xupu Bridge is about 6.8 km', () => {
    const lupu = project(origin, [121.4758, 31.1906]);
    const xupu = project(origin, [121.4642, 31.1292]);
    // great-circle distance of these WGS-84 points (haversine) is 6.91 km
    expect(Math.hypot(lupu[0] - xupu[0], lupu[1] - xupu[1]) / 1000).toBeCloseTo(6.91, 1);
  });

  it('inverts exactly', () => {
    const [x, z] = project(origin, [121.4602, 31.1859]);
    const [lon, lat] = unproject(origin, x, z);
    expect(lon).toBeCloseTo(121.4602, 9);
    expect(lat).toBeCloseTo(31.1859, 9);
  });

  it('measures a 100 m square as 10,000 m², counter-clockwise positive', () => {
    const dLon = 100 / M_PER_DEG_LON;
    const dLat = 100 / M_PER_DEG_LAT;
    const square: [number, number][] = [
      [121.46, 31.17],
      [121.46 + dLon, 31.17],
      [121.46 + dLon, 31.17 + dLat],
      [121.46, 31.17 + dLat],
    ];
    expect(ringAreaM2(origin, square)).toBeCloseTo(10_000, 3);
    expect(ringAreaM2(origin, [...square].reverse())).toBeCloseTo(-10_000, 3);
  });
});
