/**
 * Re-estimating the Fellegi–Sunter match model from the registry's own records
 * (docs/decisions/0022-registry-model-re-estimation.md): a random sample of stored source records,
 * their candidate pairs through the registry's blocking (cr_block, as a write finds them), m by EM
 * anchored on national IDs, u on random pairs of the sample (estimate-weights.ts), then the guard
 * rails and what the new model would change: the sampled pairs decided under the rules in force
 * with both models. Content is read through the repository (decrypted), never by SQL.
 */
import { performance } from 'node:perf_hooks';
import type { FhirRepository } from '../../fhir/repository/fhir-repository.ts';
import { FhirError } from '../../fhir/outcome/fhir-error.ts';
import {
  FIELD_LEVELS, MATCH_FIELDS, compareLevels, comparePair, decide, defaultModel, estimateFromLevels, levelWeight,
  naiveStartModel, patternCounts, personFromPatient, validateModel,
  type Decision, type DecisionRules, type EmTrace, type MatchField, type MatchModel, type PairLevels, type PersonRecord,
} from './matching/index.ts';
import { estimateUInSlices } from './matching/estimate-weights.ts';
import { maxCandidates } from './placement.ts';
import { registryStore } from './registry-store.ts';

export interface EstimationOptions {
  /** Source records drawn at random from the registry (each brings its blocking candidates). */
  sampleSize: number;
  /** At most this many candidate pairs go into EM. */
  maxPairs: number;
  /** Random record pairs of the sample that u is measured on. */
  randomPairs: number;
  maxIterations: number;
  /** Same seed and same records: same sample, same model. */
  seed: number;
  /** EM starts from an uninformed model ('naive', the default: the data decides) or from the model in force. */
  start: 'naive' | 'current';
}

export const estimationDefaults: EstimationOptions = { sampleSize: 5000, maxPairs: 200_000, randomPairs: 100_000, maxIterations: 500, seed: 1, start: 'naive' };

/** What a request may ask for (inclusive ranges), and what the registry must hold for an estimate to mean anything. */
export const estimationLimits = {
  sampleSize: [500, 200_000],
  maxPairs: [200, 5_000_000],
  randomPairs: [1_000, 2_000_000],
  maxIterations: [1, 10_000],
  seed: [0, 2 ** 31 - 1],
  /** Fewer stored source records than this and EM has too few duplicates to learn from. */
  minRecords: 500,
  /** Fewer candidate pairs than this and the estimate is noise. */
  minPairs: 200,
} as const;

/** Agreement levels that must weigh for a match, per field (the guard rails); 'disagree' must weigh against. */
export const agreementLevels: Record<MatchField, readonly string[]> = {
  nationalId: ['exact'],
  given: ['exact', 'phonetic'],
  family: ['exact', 'phonetic'],
  birthDate: ['exact'],
  sex: ['agree'],
  phone: ['exact'],
  address: ['village'],
};

/** EM that put almost every candidate pair in the match class has explained relatives as the same person. */
const maxMatchShare = 0.95;

export type DecisionCounts = Record<Decision, number>;

export interface ModelEstimate {
  model: MatchModel;
  trace: EmTrace;
  counts: {
    /** Source records the registry holds (linked to a person). */
    registryRecords: number;
    sampled: number;
    /** Records read and decrypted: the sample and its candidates. */
    read: number;
    pairs: number;
    /** Pairs EM was told are matches (same national ID) and non-matches (two different IDs); the rest are latent. */
    anchoredMatches: number;
    anchoredNonMatches: number;
    patterns: number;
    randomPairs: number;
  };
  /** The sampled pairs decided under the rules in force, with the model in force and with the proposed one. */
  decisions: { current: DecisionCounts; proposed: DecisionCounts; changes: { from: Decision; to: Decision; count: number }[]; changed: number; recordsAffected: number };
  /** Guard-rail violations; a model with any is not adopted unless forced. */
  problems: string[];
  timings: { sampleMs: number; readMs: number; emMs: number; uMs: number; compareMs: number; totalMs: number };
}

const tooFew = (what: string) => new FhirError(422, [{ severity: 'error', code: 'business-rule', diagnostics: what }]);

/** The guard rails a model must pass before it decides real people's records. */
export function modelProblems(model: MatchModel, trace?: EmTrace): string[] {
  const problems = validateModel(model);
  for (const field of MATCH_FIELDS) {
    for (const level of agreementLevels[field]) {
      const w = levelWeight(model, field, level);
      if (!(w > 0)) problems.push(`${field}.${level} weighs ${w.toFixed(2)}: agreement on ${field} must count towards a match`);
    }
    const w = levelWeight(model, field, 'disagree');
    if (!(w < 0)) problems.push(`${field}.disagree weighs ${w.toFixed(2)}: disagreement on ${field} must count against a match`);
  }
  if (trace && !(trace.matchProportion > 0 && trace.matchProportion < maxMatchShare)) {
    problems.push(`EM put ${(trace.matchProportion * 100).toFixed(1)} % of the candidate pairs in the match class: it has explained relatives as the same person`);
  }
  return problems;
}

const emptyCounts = (): DecisionCounts => ({ link: 0, review: 0, new: 0 });
const ms = (since: number) => Math.round(performance.now() - since);

/**
 * Estimates a model from the registry's stored records. Throws 422 when the registry (or the
 * sample's candidate pairs) are too few to learn from; convergence and the guard rails are
 * reported, for the caller to decide.
 */
export async function estimateRegistryModel(
  repo: FhirRepository,
  inForce: { model: MatchModel; rules: DecisionRules },
  options: EstimationOptions,
): Promise<ModelEstimate> {
  const t0 = performance.now();
  const registryRecords = await registryStore.sourceCount(repo.sql);
  if (registryRecords < estimationLimits.minRecords) {
    throw tooFew(`The registry holds ${registryRecords} source records; estimating the match model needs at least ${estimationLimits.minRecords}`);
  }
  const sample = await registryStore.sampleSources(repo.sql, options.sampleSize, options.seed);
  const pairIds: [string, string][] = [];
  const seen = new Set<string>();
  for (let i = 0; i < sample.length && pairIds.length < options.maxPairs; i += 500) {
    for (const [a, candidates] of await blockingCandidates(repo, sample.slice(i, i + 500))) {
      for (const b of candidates) {
        const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
        if (seen.has(key)) continue;
        seen.add(key);
        pairIds.push([a, b]);
        if (pairIds.length >= options.maxPairs) break;
      }
      if (pairIds.length >= options.maxPairs) break;
    }
  }
  const sampleMs = ms(t0);
  if (pairIds.length < estimationLimits.minPairs) {
    throw tooFew(`The ${sample.length} sampled records share blocking keys with only ${pairIds.length} records; estimating the match model needs at least ${estimationLimits.minPairs} candidate pairs (add records or raise sampleSize)`);
  }

  const t1 = performance.now();
  const persons = new Map<string, PersonRecord>();
  const wanted = [...new Set([...sample, ...pairIds.flat()])];
  for (let i = 0; i < wanted.length; i += 500) {
    for (const v of await repo.readMany(wanted.slice(i, i + 500).map((id) => ({ type: 'Patient', id })))) {
      persons.set(v.id, personFromPatient(JSON.parse(v.json as string)));
    }
  }
  const pairs = pairIds.filter(([a, b]) => persons.has(a) && persons.has(b)).map(([a, b]) => [persons.get(a)!, persons.get(b)!] as const);
  const readMs = ms(t1);

  // The CPU-bound steps run in slices that give the event loop back: the server goes on answering.
  const t2 = performance.now();
  const levels: PairLevels[] = [];
  await inSlices(pairs, ([a, b]) => { levels.push(compareLevels(a, b).levels); });
  const patterns = patternCounts(levels);
  const sampled = sample.map((id) => persons.get(id)).filter((p): p is PersonRecord => p !== undefined);
  const tU = performance.now();
  const randomU = await estimateUInSlices(sampled, { pairs: options.randomPairs, seed: options.seed });
  const uMs = ms(tU);
  const { model, trace } = estimateFromLevels(patterns.values(), options.start === 'current' ? inForce.model : naiveStartModel(), {
    maxIterations: options.maxIterations,
    randomU,
    version: `registry-em-${new Date().toISOString().slice(0, 10)}-${sample.length}r-seed${options.seed}`,
  });
  const emMs = ms(t2) - uMs;

  const t3 = performance.now();
  const current = emptyCounts();
  const proposed = emptyCounts();
  const changes = new Map<string, number>();
  const affected = new Set<string>();
  await inSlices(pairs, ([a, b]) => {
    const before = decide(comparePair(a, b, inForce.model), inForce.rules).decision;
    const after = decide(comparePair(a, b, model), inForce.rules).decision;
    current[before]++;
    proposed[after]++;
    if (before !== after) {
      changes.set(`${before}>${after}`, (changes.get(`${before}>${after}`) ?? 0) + 1);
      affected.add(a.id).add(b.id);
    }
  });
  const compareMs = ms(t3);

  let anchoredMatches = 0;
  let anchoredNonMatches = 0;
  for (const l of levels) {
    if (l.nationalId === 'exact') anchoredMatches++;
    else if (l.nationalId === 'disagree') anchoredNonMatches++;
  }
  return {
    model,
    trace,
    counts: { registryRecords, sampled: sample.length, read: persons.size, pairs: pairs.length, anchoredMatches, anchoredNonMatches, patterns: patterns.size, randomPairs: sampled.length >= 2 ? options.randomPairs : 0 },
    decisions: {
      current, proposed,
      changes: [...changes].map(([k, count]) => { const [from, to] = k.split('>') as [Decision, Decision]; return { from, to, count }; }).sort((x, y) => y.count - x.count),
      changed: [...changes.values()].reduce((s, n) => s + n, 0),
      recordsAffected: affected.size,
    },
    problems: modelProblems(model, trace),
    timings: { sampleMs, readMs, emMs, uMs, compareMs, totalMs: ms(t0) },
  };
}

/** Runs `step` over `items`, giving the event loop back every `slice` items (a few tens of milliseconds of comparisons). */
async function inSlices<T>(items: readonly T[], step: (item: T) => void, slice = 1000): Promise<void> {
  for (let i = 0; i < items.length; i += slice) {
    for (const item of items.slice(i, i + slice)) step(item);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Each record's candidates as a write finds them (`ClientRegistry.scoreCandidates`): the placed
 * records sharing a blocking key with it, most shared keys first, at most `maxCandidates`. Two
 * indexed statements per batch (its keys, then the members of those blocks), as the bulk loader does.
 */
async function blockingCandidates(repo: FhirRepository, ids: string[]): Promise<Map<string, string[]>> {
  const keys = await registryStore.keysOf(repo.sql, ids);
  const members = new Map<string, string[]>();
  for (const m of await registryStore.blockMembers(repo.sql, [...new Set(keys.map((k) => k.key))])) {
    const list = members.get(m.key);
    if (list) list.push(m.source_id);
    else members.set(m.key, [m.source_id]);
  }
  const shared = new Map<string, Map<string, number>>();
  for (const { source_id: id, key } of keys) {
    const counts = shared.get(id) ?? new Map<string, number>();
    shared.set(id, counts);
    for (const other of members.get(key) ?? []) if (other !== id) counts.set(other, (counts.get(other) ?? 0) + 1);
  }
  const out = new Map<string, string[]>();
  for (const id of ids) {
    const counts = [...(shared.get(id) ?? [])].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    out.set(id, counts.slice(0, maxCandidates).map(([other]) => other));
  }
  return out;
}

/** Per field and level: m, u and weight of two models side by side (what a steward compares). */
export function compareModels(proposed: MatchModel, current: MatchModel = defaultModel) {
  return MATCH_FIELDS.map((field) => ({
    field,
    levels: FIELD_LEVELS[field].map((level) => ({
      level,
      proposed: { ...probabilities(proposed, field, level), weight: levelWeight(proposed, field, level) },
      current: { ...probabilities(current, field, level), weight: levelWeight(current, field, level) },
    })),
  }));
}

function probabilities(model: MatchModel, field: string, level: string): { m: number; u: number } {
  const p = model.fields[field]?.[level];
  return { m: p?.m ?? 0, u: p?.u ?? 0 };
}
