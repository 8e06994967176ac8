import { describe, expect, it } from 'vitest';
import { ROOF_IRRADIANCE, createLighting, lightingAt, roofIrradiance, sunPosition } from '../../client/src/scene/timeOfDay.ts';

const DEG = 180 / Math.PI;
/** ms of a Shanghai wall-clock time (UTC+8, no daylight saving). */
const shanghai = (iso: string): number => Date.parse(`${iso}+08:00`);

describe('the sun over Shanghai', () => {
  it('stands about 82° high at noon on the June solstice and about 35° at the December solstice, due south', () => {
    const june = sunPosition(shanghai('2026-06-21T11:55:00'));
    const dec = sunPosition(shanghai('2026-12-21T11:50:00'));
    expect(june.elevation * DEG).toBeGreaterThan(81);
    expect(june.elevation * DEG).toBeLessThan(83.5);
    expect(dec.elevation * DEG).toBeGreaterThan(34.5);
    expect(dec.elevation * DEG).toBeLessThan(36.5);
    expect(Math.abs(dec.azimuth * DEG - 180)).toBeLessThan(5);
  });

  it('rises in the east and sets in the west, and is far below the horizon at midnight', () => {
    const morning = sunPosition(shanghai('2026-03-20T07:00:00'));
    const evening = sunPosition(shanghai('2026-03-20T17:30:00'));
    expect(morning.azimuth * DEG).toBeGreaterThan(60);
    expect(morning.azimuth * DEG).toBeLessThan(120);
    expect(evening.azimuth * DEG).toBeGreaterThan(240);
    expect(evening.azimuth * DEG).toBeLessThan(300);
    expect(sunPosition(shanghai('2026-03-20T00:00:00')).elevation * DEG).toBeLessThan(-45);
  });
});

describe('lighting by the hour', () => {
  it('is day at noon, dusk just after sunset and night at 22:00, with lit windows only at night', () => {
    const l = createLighting();
    expect(lightingAt(shanghai('2026-11-29T12:00:00'), l).phase).toBe('day');
    expect(l.night).toBe(0);
    expect(lightingAt(shanghai('2026-11-29T17:05:00'), l).phase).toBe('dusk');
    expect(lightingAt(shanghai('2026-11-29T22:00:00'), l).phase).toBe('night');
    expect(l.night).toBe(1);
    expect(l.daylight).toBe(0);
  });

  it('gives every roof the calibrated light at every hour of the year, so a roof reads as its legend colour', () => {
    const l = createLighting();
    const start = shanghai('2026-01-01T00:00:00');
    for (let h = 0; h < 24 * 365; h += 7) {
      lightingAt(start + h * 3600_000, l);
      const roof = roofIrradiance(l);
      for (let i = 0; i < 3; i++) expect(Math.abs(roof[i]! - ROOF_IRRADIANCE[i]!) / ROOF_IRRADIANCE[i]!).toBeLessThan(0.01);
      expect(l.sunDir[1]).toBeGreaterThan(0.2);
      expect(Math.hypot(...l.sunDir)).toBeCloseTo(1, 6);
    }
  });

  it('changes what is not a roof: a low warm sun at dusk, a darker ground and background at night', () => {
    const noon = lightingAt(shanghai('2026-11-29T12:00:00'), createLighting());
    const dusk = lightingAt(shanghai('2026-11-29T16:50:00'), createLighting());
    const night = lightingAt(shanghai('2026-11-29T23:00:00'), createLighting());
    expect(dusk.sunColour[2] / dusk.sunColour[0]).toBeLessThan(noon.sunColour[2] / noon.sunColour[0]);
    expect(night.groundColour[1]).toBeLessThan(noon.groundColour[1]);
    expect(night.background[2]).toBeLessThan(noon.background[2]);
    expect(night.sunIntensity).toBeLessThan(noon.sunIntensity);
  });
});
