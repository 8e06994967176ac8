/**
 * Daily presence profiles by building use: the share of a building's people present at each hour of Shanghai local
 * time (value at hh:00, linear in between). These are modelling assumptions of the simulator, not measurements; every
 * value they produce is labelled "simulated".
 */
import type { BuildingUse } from '@models/district.ts';

type Day = readonly number[]; // 24 values
interface Profile {
  weekday: Day;
  weekend: Day;
  /** Many Shanghai museums close on Mondays; culture venues get this instead on Monday. */
  monday?: Day;
}

// Offices fill from 9:00, dip at lunch (people go out to eat), empty in the evening.
const office: Profile = {
  weekday: [0.02, 0.01, 0.01, 0.01, 0.01, 0.02, 0.04, 0.12, 0.45, 0.8, 0.88, 0.86, 0.62, 0.72, 0.87, 0.86, 0.82, 0.7, 0.45, 0.28, 0.18, 0.1, 0.06, 0.03],
  weekend: [0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.02, 0.03, 0.05, 0.08, 0.11, 0.12, 0.1, 0.11, 0.12, 0.12, 0.1, 0.08, 0.06, 0.04, 0.03, 0.02, 0.02, 0.01],
};
// AI labs start later and work late.
const lab: Profile = {
  weekday: [0.12, 0.08, 0.05, 0.03, 0.02, 0.02, 0.03, 0.07, 0.22, 0.55, 0.8, 0.85, 0.7, 0.76, 0.86, 0.88, 0.87, 0.83, 0.74, 0.68, 0.62, 0.52, 0.38, 0.22],
  weekend: [0.06, 0.04, 0.03, 0.02, 0.02, 0.02, 0.02, 0.04, 0.1, 0.2, 0.28, 0.32, 0.28, 0.3, 0.33, 0.33, 0.31, 0.28, 0.25, 0.22, 0.2, 0.16, 0.12, 0.08],
};
// Museums and venues: daytime visitors, an evening peak for shows, busiest at weekends.
const culture: Profile = {
  weekday: [0, 0, 0, 0, 0, 0, 0, 0, 0.01, 0.04, 0.2, 0.27, 0.3, 0.32, 0.35, 0.35, 0.32, 0.28, 0.3, 0.5, 0.56, 0.42, 0.15, 0.03],
  weekend: [0.01, 0, 0, 0, 0, 0, 0, 0, 0.02, 0.08, 0.35, 0.48, 0.55, 0.6, 0.64, 0.65, 0.6, 0.55, 0.62, 0.8, 0.85, 0.62, 0.25, 0.05],
  monday: [0, 0, 0, 0, 0, 0, 0, 0, 0.01, 0.02, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.1, 0.35, 0.4, 0.3, 0.1, 0.02],
};
// Hotels are full at night.
const hotel: Profile = {
  weekday: [0.78, 0.8, 0.8, 0.8, 0.78, 0.72, 0.62, 0.5, 0.4, 0.33, 0.3, 0.3, 0.32, 0.34, 0.38, 0.45, 0.52, 0.58, 0.62, 0.65, 0.7, 0.74, 0.77, 0.78],
  weekend: [0.85, 0.87, 0.87, 0.87, 0.86, 0.82, 0.74, 0.62, 0.5, 0.42, 0.38, 0.38, 0.4, 0.42, 0.45, 0.5, 0.56, 0.62, 0.68, 0.72, 0.76, 0.8, 0.83, 0.85],
};
const retail: Profile = {
  weekday: [0, 0, 0, 0, 0, 0, 0, 0.01, 0.03, 0.08, 0.22, 0.35, 0.55, 0.5, 0.32, 0.28, 0.3, 0.42, 0.6, 0.58, 0.45, 0.3, 0.08, 0.01],
  weekend: [0, 0, 0, 0, 0, 0, 0, 0.01, 0.04, 0.12, 0.38, 0.6, 0.78, 0.8, 0.72, 0.7, 0.72, 0.75, 0.82, 0.78, 0.6, 0.4, 0.1, 0.01],
};
const residential: Profile = {
  weekday: [0.92, 0.93, 0.93, 0.93, 0.93, 0.92, 0.88, 0.72, 0.5, 0.4, 0.38, 0.38, 0.4, 0.38, 0.37, 0.38, 0.42, 0.5, 0.65, 0.78, 0.85, 0.88, 0.9, 0.91],
  weekend: [0.93, 0.94, 0.94, 0.94, 0.94, 0.93, 0.92, 0.88, 0.8, 0.7, 0.62, 0.58, 0.6, 0.58, 0.56, 0.57, 0.6, 0.66, 0.75, 0.82, 0.87, 0.9, 0.91, 0.92],
};

export const PROFILES: Record<BuildingUse, Profile> = { office, lab, culture, hotel, retail, residential };

/** How busy inference traffic is at an hour of the day (share of a tenant's inference peak). */
export const INFERENCE_TRAFFIC: Day = [0.35, 0.28, 0.22, 0.18, 0.16, 0.18, 0.25, 0.4, 0.6, 0.78, 0.88, 0.92, 0.9, 0.9, 0.93, 0.95, 0.94, 0.9, 0.85, 0.85, 0.88, 0.82, 0.65, 0.48];

const SHANGHAI_OFFSET_MS = 8 * 3_600_000; // UTC+8, no daylight saving

/** Hour of the day (fractional) and day of the week (0 = Sunday) in Shanghai local time. */
export function shanghaiClock(tMs: number): { hour: number; weekday: number } {
  const local = tMs + SHANGHAI_OFFSET_MS;
  const dayMs = 86_400_000;
  const days = Math.floor(local / dayMs);
  const hour = (local - days * dayMs) / 3_600_000;
  // 1970-01-01 was a Thursday (4)
  return { hour, weekday: (((days + 4) % 7) + 7) % 7 };
}

export function sampleDay(day: Day, hour: number): number {
  const h0 = Math.floor(hour) % 24;
  const h1 = (h0 + 1) % 24;
  const f = hour - Math.floor(hour);
  return day[h0]! + (day[h1]! - day[h0]!) * f;
}

export function presence(use: BuildingUse, tMs: number): number {
  const { hour, weekday } = shanghaiClock(tMs);
  const p = PROFILES[use];
  const weekend = weekday === 0 || weekday === 6;
  const day = weekday === 1 && p.monday ? p.monday : weekend ? p.weekend : p.weekday;
  return sampleDay(day, hour);
}
