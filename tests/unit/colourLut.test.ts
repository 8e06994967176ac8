/** The colour pass's lookup tables give exactly the colour of the ramp function they replace, for every quantised value. */
import { describe, expect, it } from 'vitest';
import { DIFF_DOMAIN_PP, divergingInto, divergingLut, rampInto, rampLut, rampPosition } from '@models/colour.ts';
import { Q_MAX } from '@models/frame.codec.ts';
import { METRICS } from '@models/metrics.ts';

const rgb = new Float32Array(3);
const bytes = () => [Math.round(rgb[0]! * 255), Math.round(rgb[1]! * 255), Math.round(rgb[2]! * 255)];

describe('rampLut / divergingLut', () => {
  for (const metric of ['occupancy', 'computeLoad'] as const) {
    const def = METRICS[metric];
    it(`${metric}: every q in 0..Q_MAX maps to the viridis colour of its value`, () => {
      const lut = rampLut(metric);
      for (let q = 0; q <= Q_MAX; q++) {
        rampInto(rampPosition((q / Q_MAX) * def.displayScale, def.domain), rgb, 0);
        expect([lut[q * 3], lut[q * 3 + 1], lut[q * 3 + 2]], `q=${q}`).toEqual(bytes());
      }
      // the ends of the domain are the ends of the ramp, and they differ
      expect([...lut.subarray(0, 3)]).not.toEqual([...lut.subarray(Q_MAX * 3, Q_MAX * 3 + 3)]);
    });
    it(`${metric}: every difference q − r maps to the diverging colour of that difference`, () => {
      const lut = divergingLut(metric);
      for (let d = -Q_MAX; d <= Q_MAX; d++) {
        divergingInto(rampPosition((d / Q_MAX) * def.displayScale, DIFF_DOMAIN_PP), rgb, 0);
        const i = (d + Q_MAX) * 3;
        expect([lut[i], lut[i + 1], lut[i + 2]], `d=${d}`).toEqual(bytes());
      }
    });
  }
  it('is built once per metric', () => {
    expect(rampLut('occupancy')).toBe(rampLut('occupancy'));
    expect(rampLut('occupancy')).not.toBe(rampLut('computeLoad'));
  });
});
