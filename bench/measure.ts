/**
 * Closed-loop load: `concurrency` clients each issue one operation, wait for it, and issue the next,
 * for a warm-up and then a measured window. Throughput counts the operations completed inside the
 * window; latencies are theirs. Shared by the in-process runs and the HTTP client process.
 */

export interface RunStats {
  ops: number;
  errors: number;
  seconds: number;
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  firstError?: string;
}

export interface RunPlan {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

/** op(worker, seq) resolves true on success, false (or throws) on failure. */
export type Operation = (worker: number, seq: number) => Promise<boolean>;

export async function runClosedLoop(plan: RunPlan, op: Operation): Promise<RunStats> {
  const begin = performance.now();
  const measureStart = begin + plan.warmupMs;
  const end = measureStart + plan.durationMs;
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const worker = async (w: number) => {
    for (let seq = 0; ; seq++) {
      const started = performance.now();
      if (started >= end) return;
      let ok: boolean;
      try {
        ok = await op(w, seq);
      } catch (error) {
        ok = false;
        firstError ??= (error as Error).stack ?? String(error);
      }
      const finished = performance.now();
      if (finished < measureStart || finished > end) continue;
      if (ok) latencies.push(finished - started);
      else {
        errors++;
        firstError ??= 'operation reported failure';
      }
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, (_, w) => worker(w)));
  return summarize(latencies, errors, plan.durationMs / 1000, firstError);
}

export function summarize(latencies: number[], errors: number, seconds: number, firstError?: string): RunStats {
  const sorted = Float64Array.from(latencies).sort();
  const pct = (p: number) => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
  const mean = sorted.length === 0 ? Number.NaN : sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return {
    ops: sorted.length, errors, seconds, throughput: sorted.length / seconds,
    p50: pct(50), p95: pct(95), p99: pct(99), mean, ...(firstError ? { firstError: firstError.slice(0, 2000) } : {}),
  };
}

function median(values: number[]): number {
  // A run without a single success has NaN latencies, which arrive as null from the HTTP client process.
  const v = values.filter((x) => typeof x === 'number' && !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

/** The median of each figure over the repetitions (each figure on its own). */
export function medianOf(runs: RunStats[]): RunStats & { runs: number; throughputs: number[] } {
  const firstError = runs.find((r) => r.firstError)?.firstError;
  return {
    ops: median(runs.map((r) => r.ops)),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    seconds: median(runs.map((r) => r.seconds)),
    throughput: median(runs.map((r) => r.throughput)),
    p50: median(runs.map((r) => r.p50)),
    p95: median(runs.map((r) => r.p95)),
    p99: median(runs.map((r) => r.p99)),
    mean: median(runs.map((r) => r.mean)),
    runs: runs.length,
    throughputs: runs.map((r) => Math.round(r.throughput * 10) / 10),
    ...(firstError ? { firstError } : {}),
  };
}
