/**
 * Performance marks `twin:*` of the first page load (app start, district request and arrival, snapshot, colours,
 * ready), read by the bench (tests/bench/firstFrame.bench.ts) and visible in DevTools. Each name is marked once, so a
 * wall that runs for weeks and reconnects often does not grow the performance timeline.
 */
export function markOnce(name: string, startTime?: number): void {
  if (typeof performance === 'undefined' || performance.getEntriesByName(name, 'mark').length > 0) return;
  performance.mark(name, startTime === undefined ? undefined : { startTime });
}
