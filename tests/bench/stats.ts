/**
 * Shared bench plumbing: sample statistics (median, p95 — never a mean, which one GC pause can move), a timer, the
 * report rows every measure produces, and the printed table. Nothing here asserts a timing: the bench reports.
 */

export interface Stats {
  n: number;
  median: number;
  p95: number;
  min: number;
  max: number;
}

export function stats(samples: readonly number[]): Stats {
  if (samples.length === 0) return { n: 0, median: NaN, p95: NaN, min: NaN, max: NaN };
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
  return { n: s.length, median: at(0.5), p95: at(0.95), min: s[0]!, max: s[s.length - 1]! };
}

/** Run `fn` `warmup` times untimed, then `reps` times timed; milliseconds per call. */
export function timeSync(fn: (rep: number) => unknown, reps: number, warmup = Math.min(20, reps)): Stats {
  for (let i = 0; i < warmup; i++) fn(i);
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn(i);
    samples.push(performance.now() - t0);
  }
  return stats(samples);
}

/** One line of the report: our figure beside the naive baseline measured in the same run. */
export interface Row {
  /** Section number as in the brief (1 draw calls … 6 history, 7 server at scale, 8 fan-out). */
  section: number;
  measure: string;
  /** Case, e.g. "real district (395)" or "10,000 buildings". */
  scope: string;
  unit: string;
  ours: number;
  oursP95?: number;
  naive?: number;
  naiveP95?: number;
  /** What the baseline is, briefly. */
  baseline?: string;
  /** naive ÷ ours for costs (higher is better for us); ours ÷ naive for throughputs. Computed by `row`. */
  ratio?: number;
  budget?: string;
  /** Whether the budget is met (informational; the bench never fails on it). */
  withinBudget?: boolean;
  note?: string;
}

/** Build a row; `higherIsBetter` marks throughputs so the ratio always reads "× better than naive". */
export function row(r: Omit<Row, 'ratio'>, higherIsBetter = false): Row {
  let ratio: number | undefined;
  if (r.naive !== undefined && r.ours !== 0 && r.naive !== 0) ratio = higherIsBetter ? r.ours / r.naive : r.naive / r.ours;
  return { ...r, ...(ratio === undefined ? {} : { ratio }) };
}

export function fmt(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return '–';
  const a = Math.abs(x);
  if (a === 0) return '0';
  if (a >= 1000) return Math.round(x).toLocaleString('en-US');
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(2);
}

export function printTable(rows: readonly Row[]): string {
  const header = ['#', 'measure', 'scope', 'ours (median)', 'ours p95', 'naive (median)', 'naive p95', 'ratio', 'unit', 'budget'];
  const lines = rows.map((r) => [
    String(r.section),
    r.measure,
    r.scope,
    fmt(r.ours),
    fmt(r.oursP95),
    fmt(r.naive),
    fmt(r.naiveP95),
    r.ratio === undefined ? '–' : `${fmt(r.ratio)}×`,
    r.unit,
    r.budget ? `${r.budget}${r.withinBudget === undefined ? '' : r.withinBudget ? ' ✓' : ' ✗'}` : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const numeric = new Set([3, 4, 5, 6, 7]);
  const fmtLine = (l: string[]) => l.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [fmtLine(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmtLine)].join('\n');
}

export function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}
