/**
 * Shanghai's time of day as light for the scene. Pure and allocation-free: `lightingAt(tsMs, out)` writes the sun's
 * position over the district (a standard low-precision solar ephemeris, good to a fraction of a degree), the sun and
 * sky lights, the background and how much of the night it is (for lit windows) into `out`.
 *
 * The rule that keeps the legend true: a roof faces the sky, so it receives `sky × hemiIntensity + sun × sunIntensity ×
 * sun.y`. Whatever the hour, that sum is held at ROOF_IRRADIANCE, the light under which a roof shows exactly its data
 * colour. Dawn, dusk and night change the walls, the direction of the light, the ground, the sky and the windows —
 * never a roof's colour.
 * tests/unit/timeOfDay.test.ts checks the rule; tests/browser/lighting.test.ts measures it in pixels.
 */
import { BUILDING_SELF_LIT } from './buildingMaterial.ts';

export const SHANGHAI = { lat: 31.17, lon: 121.46 } as const;

const DEG = Math.PI / 180;
type RGB = [number, number, number];

const srgbToLinear = (c: number): number => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const hexLinear = (hex: string): RGB => [1, 3, 5].map((i) => srgbToLinear(parseInt(hex.slice(i, i + 2), 16) / 255)) as RGB;

/** The former fixed rig (see the header): its colours and its split between sun and sky. */
const CALIBRATION = {
  sky: hexLinear('#dbe6ff'),
  hemiIntensity: 1.15,
  sun: hexLinear('#fff3e0'),
  sunIntensity: 1.55,
  sunY: 5200 / Math.hypot(2600, 5200, 3400),
};
/**
 * What a roof receives, per linear channel, at any hour: white light of (1 − selfLit) × π, so that Lambert's
 * diffuse/π plus the material's unlit share gives back exactly the data colour (three.js lights are physical:
 * a directional light of intensity I on a surface facing it gives I × albedo / π).
 */
export const ROOF_IRRADIANCE: RGB = [0, 1, 2].map(() => (1 - BUILDING_SELF_LIT) * Math.PI) as RGB;
/** Share of the roof's light that the sun gives in full daylight (as in the calibrated rig). */
const SUN_SHARE = (CALIBRATION.sun[1]! * CALIBRATION.sunIntensity * CALIBRATION.sunY) / (CALIBRATION.sky[1]! * CALIBRATION.hemiIntensity + CALIBRATION.sun[1]! * CALIBRATION.sunIntensity * CALIBRATION.sunY);
const HEMI_INTENSITY = CALIBRATION.hemiIntensity;
const MAX_SUN_INTENSITY = 2.4;

// Colours along the day, linear RGB.
const SUN_NOON = CALIBRATION.sun;
const SUN_LOW = hexLinear('#ffb070');
const GROUND_DAY = hexLinear('#2a2f3a');
const GROUND_NIGHT = hexLinear('#0a0d14');
const BG_DAY = hexLinear('#0b121c');
const BG_DUSK = hexLinear('#1a1524');
const BG_NIGHT = hexLinear('#04070c');

export type DayPhase = 'day' | 'dusk' | 'night';

export interface Lighting {
  /** Sun elevation and azimuth (from north, clockwise), radians. */
  elevation: number;
  azimuth: number;
  phase: DayPhase;
  /** 0 at night … 1 in full daylight. */
  daylight: number;
  /** 0 by day … 1 at night: lit windows, darker walls. */
  night: number;
  /** Unit vector towards the sun in the scene frame (x east, y up, z south); below the horizon it is the moon-ish fill from above. */
  sunDir: RGB;
  sunColour: RGB;
  sunIntensity: number;
  skyColour: RGB;
  groundColour: RGB;
  hemiIntensity: number;
  background: RGB;
}

export function createLighting(): Lighting {
  return {
    elevation: 0,
    azimuth: 0,
    phase: 'day',
    daylight: 1,
    night: 0,
    sunDir: [0, 1, 0],
    sunColour: [1, 1, 1],
    sunIntensity: 0,
    skyColour: [1, 1, 1],
    groundColour: [0, 0, 0],
    hemiIntensity: HEMI_INTENSITY,
    background: [0, 0, 0],
  };
}

/** Solar elevation and azimuth (radians) at `tsMs` seen from lat/lon (degrees). */
export function sunPosition(tsMs: number, lat: number = SHANGHAI.lat, lon: number = SHANGHAI.lon): { elevation: number; azimuth: number } {
  const d = tsMs / 86_400_000 + 2440587.5 - 2451545.0; // days since J2000.0
  const g = (357.529 + 0.98560028 * d) * DEG;
  const q = 280.459 + 0.98564736 * d;
  const L = (q + 1.915 * Math.sin(g) + 0.02 * Math.sin(2 * g)) * DEG;
  const e = (23.439 - 0.00000036 * d) * DEG;
  const ra = Math.atan2(Math.cos(e) * Math.sin(L), Math.cos(L));
  const dec = Math.asin(Math.sin(e) * Math.sin(L));
  const gmstH = (18.697374558 + 24.06570982441908 * d) % 24;
  const h = (gmstH * 15 + lon) * DEG - ra;
  const phi = lat * DEG;
  const elevation = Math.asin(Math.sin(phi) * Math.sin(dec) + Math.cos(phi) * Math.cos(dec) * Math.cos(h));
  const azimuth = Math.atan2(-Math.sin(h), Math.tan(dec) * Math.cos(phi) - Math.sin(phi) * Math.cos(h));
  return { elevation, azimuth: (azimuth + 2 * Math.PI) % (2 * Math.PI) };
}

const smoothstep = (a: number, b: number, x: number): number => {
  const t = Math.min(1, Math.max(0, (x - a) / (b - a)));
  return t * t * (3 - 2 * t);
};
const mix3 = (out: RGB, a: RGB, b: RGB, t: number): void => {
  for (let i = 0; i < 3; i++) out[i] = a[i]! + (b[i]! - a[i]!) * t;
};

/** Light for the district at `tsMs` (ms since epoch), written into `out`. */
export function lightingAt(tsMs: number, out: Lighting): Lighting {
  const { elevation, azimuth } = sunPosition(tsMs);
  out.elevation = elevation;
  out.azimuth = azimuth;
  const elevDeg = elevation / DEG;
  out.daylight = smoothstep(-6, 8, elevDeg);
  out.night = 1 - smoothstep(-8, 2, elevDeg);
  out.phase = elevDeg > 8 ? 'day' : elevDeg > -8 ? 'dusk' : 'night';

  // Direct light: the sun while it is up (warmer as it gets low); at night a faint cool light from high above, so
  // walls still model. Direction never below 12° so long shadows do not smear across the district.
  const up = Math.max(elevation, 12 * DEG);
  const az = elevDeg > -8 ? azimuth : 200 * DEG;
  out.sunDir[0] = Math.cos(up) * Math.sin(az);
  out.sunDir[1] = Math.sin(up);
  out.sunDir[2] = -Math.cos(up) * Math.cos(az);
  mix3(out.sunColour, SUN_LOW, SUN_NOON, smoothstep(2, 30, elevDeg));
  const share = SUN_SHARE * (0.15 + 0.85 * out.daylight);
  const sunLum = 0.2126 * out.sunColour[0] + 0.7152 * out.sunColour[1] + 0.0722 * out.sunColour[2];
  const roofLum = 0.2126 * ROOF_IRRADIANCE[0] + 0.7152 * ROOF_IRRADIANCE[1] + 0.0722 * ROOF_IRRADIANCE[2];
  out.sunIntensity = Math.min(MAX_SUN_INTENSITY, (share * roofLum) / (sunLum * out.sunDir[1]));
  // …and the sky makes up the rest of what a roof receives, channel by channel: the roof colour stays calibrated.
  out.hemiIntensity = HEMI_INTENSITY;
  for (let i = 0; i < 3; i++) out.skyColour[i] = Math.max(0, (ROOF_IRRADIANCE[i]! - out.sunColour[i]! * out.sunIntensity * out.sunDir[1]) / HEMI_INTENSITY);
  mix3(out.groundColour, GROUND_NIGHT, GROUND_DAY, out.daylight);
  // background: night → dusk glow → day
  const dusk = 1 - Math.abs(smoothstep(-10, 10, elevDeg) * 2 - 1);
  mix3(out.background, BG_NIGHT, BG_DAY, out.daylight);
  for (let i = 0; i < 3; i++) out.background[i] = out.background[i]! + (BG_DUSK[i]! - out.background[i]!) * dusk * 0.8;
  return out;
}

/** What a roof receives under `l` (linear RGB), for tests and the bench: should equal ROOF_IRRADIANCE. */
export function roofIrradiance(l: Lighting): RGB {
  return [0, 1, 2].map((i) => l.skyColour[i]! * l.hemiIntensity + l.sunColour[i]! * l.sunIntensity * l.sunDir[1]) as RGB;
}
