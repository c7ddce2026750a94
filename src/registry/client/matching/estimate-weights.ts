/**
 * Learns m and u by expectation–maximisation over candidate pairs (Winkler 1988; the approach of
 * Splink and fastLink): the pairs are a mixture of matches and non-matches, fields are assumed
 * independent within each class. Identical agreement patterns are counted once, so an iteration
 * costs the number of distinct patterns (hundreds), not the number of pairs (millions).
 */
import { FIELD_LEVELS, MATCH_FIELDS } from './comparators.ts';
import { defaultModel, type MatchModel } from './fellegi-sunter.ts';
import { compareLevels, type PairLevels } from './match-pair.ts';
import type { PersonRecord } from './person-record.ts';
import { Rng } from '../../../seed/prng.ts';

export interface EstimateOptions {
  /** Stop after this many iterations (default 500). */
  maxIterations?: number;
  /** Stop when no probability moves by more than this (default 1e-6). */
  tolerance?: number;
  /** Starting share of matches among the pairs (default 0.1). */
  matchProportion?: number;
  /** Fields whose m and u are kept as in `start`. */
  fixed?: string[];
  /** Version string of the resulting model (default: start's version + '+em'). */
  version?: string;
  /** Added to every level count so that a level never seen keeps a small, finite weight. */
  pseudoCount?: number;
  /**
   * u probabilities measured on random record pairs (`estimateU`), used in the resulting model
   * instead of the u that EM learns. Recommended: EM over blocked candidate pairs separates the
   * match class well and learns m accurately, but its non-match class is mostly relatives who
   * share a phone and a village, so its u makes "different phone" look like evidence FOR a match
   * and lets namesakes from different families score high. (Keeping u fixed during EM instead
   * makes EM explain every household pair as a match: it collapses.)
   */
  randomU?: Record<string, Record<string, number>>;
  /**
   * Anchor EM on national IDs (default true): pairs with the same ID are taken as matches and pairs
   * with two unrelated IDs as non-matches, instead of letting EM guess their class. Without
   * anchors EM tends to explain the many parent/child and sibling pairs (same phone, same
   * village) as a second "match" cluster; with them, only pairs lacking an ID on one side are
   * latent.
   */
  anchorOnNationalId?: boolean;
}

export interface EmTrace {
  iterations: number;
  converged: boolean;
  matchProportion: number;
  /** Log-likelihood per iteration: EM never lets it decrease (a check of the implementation). */
  logLikelihood: number[];
}

/**
 * A deliberately uninformed start for EM: m puts most mass on the best level, u on the worst,
 * nothing else is assumed. Used to show that EM learns the weights rather than echoing a start.
 */
export function naiveStartModel(): MatchModel {
  const fields: MatchModel['fields'] = {};
  for (const f of MATCH_FIELDS) {
    const levels = FIELD_LEVELS[f];
    const rest = 0.2 / (levels.length - 1);
    fields[f] = {};
    levels.forEach((l, i) => {
      fields[f][l] = { m: i === 0 ? 0.8 : rest, u: i === levels.length - 1 ? 0.8 : rest };
    });
  }
  return { version: 'naive-start', fields };
}

/** Agreement patterns with counts: the sufficient statistic of EM. */
export function patternCounts(levelsList: Iterable<PairLevels>): Map<string, { levels: PairLevels; count: number }> {
  const out = new Map<string, { levels: PairLevels; count: number }>();
  for (const levels of levelsList) {
    const key = MATCH_FIELDS.map((f) => levels[f] ?? '-').join('|');
    const e = out.get(key);
    if (e) e.count++;
    else out.set(key, { levels, count: 1 });
  }
  return out;
}

/** EM over agreement patterns; returns the model and a trace (iterations, convergence, log-likelihood). */
export function estimateFromLevels(
  patterns: Iterable<{ levels: PairLevels; count: number }>,
  start: MatchModel = defaultModel,
  options: EstimateOptions = {},
): { model: MatchModel; trace: EmTrace } {
  const maxIterations = options.maxIterations ?? 500;
  const tolerance = options.tolerance ?? 1e-6;
  const pseudo = options.pseudoCount ?? 0.5;
  const fixed = new Set(options.fixed ?? []);
  const fields = MATCH_FIELDS;

  // Patterns as level indices (-1 = missing) for a fast inner loop.
  const anchor = options.anchorOnNationalId ?? true;
  const rows: { idx: number[]; count: number; g?: number }[] = [];
  let total = 0;
  for (const p of patterns) {
    const nid = p.levels.nationalId;
    rows.push({
      ...(anchor && nid === 'exact' ? { g: 1 } : anchor && nid === 'disagree' ? { g: 0 } : {}),
      count: p.count,
      idx: fields.map((f) => {
        const l = p.levels[f];
        return l === undefined ? -1 : (FIELD_LEVELS[f] as readonly string[]).indexOf(l);
      }),
    });
    total += p.count;
  }
  const m = fields.map((f) => FIELD_LEVELS[f].map((l) => start.fields[f]?.[l]?.m ?? 1 / FIELD_LEVELS[f].length));
  const u = fields.map((f) => FIELD_LEVELS[f].map((l) => start.fields[f]?.[l]?.u ?? 1 / FIELD_LEVELS[f].length));
  let p = options.matchProportion ?? start.estimatedFrom?.matchProportion ?? 0.1;
  const logLikelihood: number[] = [];
  let iterations = 0;
  let converged = false;

  while (iterations < maxIterations && total > 0) {
    iterations++;
    const mCount = fields.map((f) => new Array<number>(FIELD_LEVELS[f].length).fill(0));
    const uCount = fields.map((f) => new Array<number>(FIELD_LEVELS[f].length).fill(0));
    let matches = 0;
    let ll = 0;
    for (const row of rows) {
      let pm = p;
      let pu = 1 - p;
      for (let k = 0; k < fields.length; k++) {
        const i = row.idx[k];
        if (i < 0) continue;
        pm *= m[k][i];
        pu *= u[k][i];
      }
      const g = row.g ?? pm / (pm + pu);
      ll += row.count * Math.log(pm + pu);
      matches += g * row.count;
      for (let k = 0; k < fields.length; k++) {
        const i = row.idx[k];
        if (i < 0) continue;
        mCount[k][i] += g * row.count;
        uCount[k][i] += (1 - g) * row.count;
      }
    }
    logLikelihood.push(ll);
    let change = Math.abs(matches / total - p);
    p = matches / total;
    for (let k = 0; k < fields.length; k++) {
      if (fixed.has(fields[k])) continue;
      const n = FIELD_LEVELS[fields[k]].length;
      const mSum = mCount[k].reduce((s, x) => s + x, 0) + pseudo * n;
      const uSum = uCount[k].reduce((s, x) => s + x, 0) + pseudo * n;
      if (!(mSum > 0) || !(uSum > 0)) continue; // field never observed: keep the start values
      for (let i = 0; i < n; i++) {
        const nm = (mCount[k][i] + pseudo) / mSum;
        const nu = (uCount[k][i] + pseudo) / uSum;
        change = Math.max(change, Math.abs(nm - m[k][i]), Math.abs(nu - u[k][i]));
        m[k][i] = nm;
        u[k][i] = nu;
      }
    }
    if (change < tolerance) {
      converged = true;
      break;
    }
  }

  const model: MatchModel = {
    version: options.version ?? `${start.version}+em`,
    fields: {},
    estimatedFrom: { pairs: total, iterations, converged, matchProportion: p },
  };
  fields.forEach((f, k) => {
    model.fields[f] = {};
    FIELD_LEVELS[f].forEach((l, i) => {
      model.fields[f][l] = { m: m[k][i], u: options.randomU?.[f]?.[l] ?? u[k][i] };
    });
  });
  return { model, trace: { iterations, converged, matchProportion: p, logLikelihood } };
}

/**
 * u = P(level | different people), measured on random pairs of records: with millions of records
 * almost every random pair is two different people, so no labels are needed. Levels never seen get
 * half a count so that their weight stays finite.
 */
export function estimateU(
  records: readonly PersonRecord[],
  options: { pairs?: number; seed?: number } = {},
): Record<string, Record<string, number>> {
  const counter = new RandomPairLevels(records, options.seed ?? 1);
  counter.draw(options.pairs ?? 200_000);
  return counter.probabilities();
}

/**
 * `estimateU` in slices of `slice` pairs (default 1,000, tens of milliseconds), giving the event
 * loop back between them: for a server that goes on answering while a steward re-estimates the
 * model. Same pairs, same result as `estimateU`.
 */
export async function estimateUInSlices(
  records: readonly PersonRecord[],
  options: { pairs?: number; seed?: number; slice?: number } = {},
): Promise<Record<string, Record<string, number>>> {
  const counter = new RandomPairLevels(records, options.seed ?? 1);
  const slice = Math.max(1, options.slice ?? 1000);
  for (let left = options.pairs ?? 200_000; left > 0; left -= slice) {
    counter.draw(Math.min(slice, left));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return counter.probabilities();
}

/** Level counts over random record pairs (i ≠ j), drawn from one seeded stream. */
class RandomPairLevels {
  private readonly rng: Rng;
  private readonly counts = Object.fromEntries(MATCH_FIELDS.map((f) => [f, new Map<string, number>()])) as Record<string, Map<string, number>>;
  private readonly totals: Record<string, number> = Object.fromEntries(MATCH_FIELDS.map((f) => [f, 0]));
  private readonly records: readonly PersonRecord[];

  constructor(records: readonly PersonRecord[], seed: number) {
    this.records = records;
    this.rng = new Rng(seed);
  }

  draw(pairs: number): void {
    const { records, rng, counts, totals } = this;
    if (records.length < 2) return;
    for (let n = 0; n < pairs; n++) {
      const i = rng.int(0, records.length - 1);
      let j = rng.int(0, records.length - 2);
      if (j >= i) j++;
      const { levels } = compareLevels(records[i], records[j]);
      for (const f of MATCH_FIELDS) {
        const level = levels[f];
        if (level === undefined) continue;
        counts[f].set(level, (counts[f].get(level) ?? 0) + 1);
        totals[f]++;
      }
    }
  }

  probabilities(): Record<string, Record<string, number>> {
    const u: Record<string, Record<string, number>> = {};
    for (const f of MATCH_FIELDS) {
      const levels = FIELD_LEVELS[f];
      u[f] = {};
      for (const level of levels) u[f][level] = ((this.counts[f].get(level) ?? 0) + 0.5) / (this.totals[f] + 0.5 * levels.length);
    }
    return u;
  }
}

/** EM over candidate pairs (e.g. from blocking). */
export function estimateModel(
  pairs: Iterable<readonly [PersonRecord, PersonRecord]>,
  start: MatchModel = defaultModel,
  options: EstimateOptions = {},
): MatchModel {
  return estimateFromLevels(patternCounts(levelsOf(pairs)).values(), start, options).model;
}

function* levelsOf(pairs: Iterable<readonly [PersonRecord, PersonRecord]>): Iterable<PairLevels> {
  for (const [a, b] of pairs) yield compareLevels(a, b).levels;
}

