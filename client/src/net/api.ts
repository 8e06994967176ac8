/** REST calls. The district is static per dataset version; it is fetched once and again only when a version changes. */
import type { District } from '@models/district.ts';
import { setDistrict, useTwin } from '../state/store.ts';
import { DistrictWorkerStartError, districtWorkerAvailable, fetchDistrictInWorker } from './districtWorker.ts';
import { markOnce } from '../perfMarks.ts';

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 10_000;

let inFlight: Promise<District> | null = null;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function fetchDistrictOnce(): Promise<District> {
  // production: parse and build the geometry off the main thread (net/districtWorker.ts)
  markOnce('twin:district-request');
  if (districtWorkerAvailable()) {
    try {
      return await fetchDistrictInWorker('/api/v1/district');
    } catch (err) {
      if (!(err instanceof DistrictWorkerStartError)) throw err;
    }
  }
  const res = await fetch('/api/v1/district', { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (!res.ok) throw new Error(`GET /api/v1/district → ${res.status}`);
  const district = (await res.json()) as District;
  markOnce('twin:district-parsed');
  if (!district || !Array.isArray(district.buildings) || !district.geography) throw new Error('GET /api/v1/district: not a district');
  return district;
}

/**
 * Fetch the district and install it, retrying forever with capped, jittered backoff (a wall must recover by itself
 * after a server restart). Concurrent callers share one request.
 */
export function loadDistrict(): Promise<District> {
  if (inFlight) return inFlight;
  inFlight = (async () => {
    let delay = RETRY_MIN_MS;
    for (;;) {
      try {
        const district = await fetchDistrictOnce();
        setDistrict(district);
        markOnce('twin:district-set');
        return district;
      } catch (err) {
        useTwin.setState({ districtError: err instanceof Error ? err.message : String(err) });
        await sleep(delay * (0.75 + Math.random() * 0.5));
        delay = Math.min(delay * 2, RETRY_MAX_MS);
      }
    }
  })().finally(() => {
    inFlight = null;
  });
  return inFlight;
}

/** Make sure the loaded district has `version`; re-fetch otherwise. */
export async function ensureDistrictVersion(version: number): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = useTwin.getState().district;
    if (current && current.version === version) return;
    await loadDistrict();
  }
  const current = useTwin.getState().district;
  if (current && current.version !== version) console.warn(`[twin] server frames are for dataset ${version}, the district API serves ${current.version}`);
}
