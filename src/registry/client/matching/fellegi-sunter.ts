/**
 * Fellegi–Sunter model: for each field and agreement level, m = P(level | same person) and
 * u = P(level | different people); a pair's score is the sum over observed fields of
 * log2(m / u). Missing fields contribute 0.
 */
import { FIELD_LEVELS, type MatchField } from './comparators.ts';
import type { NameFrequencies } from './term-frequency.ts';

export interface LevelProbabilities {
  m: number;
  u: number;
}

export interface MatchModel {
  version: string;
  fields: Record<string, Record<string, LevelProbabilities>>;
  estimatedFrom?: { pairs: number; iterations: number; converged?: boolean; matchProportion?: number };
  /** Name frequencies for term-frequency adjusted name weights (term-frequency.ts); optional. */
  nameFrequencies?: NameFrequencies;
}

/**
 * m and u learnt by bench/match-quality.ts on synthetic data (seed 1, 20,000 people): m by EM over
 * blocked candidate pairs (anchored on national IDs), u on 300,000 random record pairs. A starting
 * point only: the registry should re-estimate from its own records (`estimateU` on random pairs,
 * then `estimateModel` with `randomU`), because u depends on how diverse the real population's
 * names, birth dates and phones are.
 */
export const defaultModel: MatchModel = {
  version: 'synthetic-seed1-em-2',
  fields: {
    nationalId: {
      exact: { m: 0.94, u: 0.000027 },
      replacement: { m: 0.00895, u: 0.0000054 },
      typo: { m: 0.0505, u: 0.0000054 },
      disagree: { m: 0.0000753, u: 1 },
    },
    given: {
      exact: { m: 0.801, u: 0.00403 },
      phonetic: { m: 0.0923, u: 0.000285 },
      close: { m: 0.0496, u: 0.000468 },
      partial: { m: 0.0548, u: 0.00536 },
      disagree: { m: 0.00205, u: 0.99 },
    },
    family: {
      exact: { m: 0.848, u: 0.00351 },
      phonetic: { m: 0.0943, u: 0.000292 },
      close: { m: 0.0473, u: 0.000615 },
      partial: { m: 0.00777, u: 0.0019 },
      disagree: { m: 0.00279, u: 0.994 },
    },
    birthDate: {
      exact: { m: 0.675, u: 0.0000329 },
      transposed: { m: 0.014, u: 0.0000329 },
      'year-month': { m: 0.0029, u: 0.000972 },
      year: { m: 0.224, u: 0.00311 },
      'other-date': { m: 0.0344, u: 0.011 },
      'year-off-by-one': { m: 0.049, u: 0.0294 },
      disagree: { m: 0.0000353, u: 0.955 },
    },
    sex: {
      agree: { m: 0.991, u: 0.501 },
      disagree: { m: 0.00902, u: 0.499 },
    },
    phone: {
      exact: { m: 0.769, u: 0.0000473 },
      typo: { m: 0.0451, u: 0.00000834 },
      disagree: { m: 0.186, u: 1 },
    },
    address: {
      village: { m: 0.501, u: 0.00618 },
      cell: { m: 0.108, u: 0.0239 },
      sector: { m: 0.209, u: 0.0763 },
      district: { m: 0.0511, u: 0.0188 },
      disagree: { m: 0.131, u: 0.875 },
    },
  },
};

/** log2(m/u) for a level; 0 when the model does not know the level (an unknown level is no evidence). */
export function levelWeight(model: MatchModel, field: string, level: string | undefined): number {
  if (level === undefined) return 0;
  const p = model.fields[field]?.[level];
  if (!p || !(p.m > 0) || !(p.u > 0)) return 0;
  return Math.log2(p.m / p.u);
}

/** Checks that a model has every level of every field with probabilities in (0, 1]. */
export function validateModel(model: MatchModel): string[] {
  const problems: string[] = [];
  for (const [field, levels] of Object.entries(FIELD_LEVELS) as [MatchField, readonly string[]][]) {
    for (const level of levels) {
      const p = model.fields[field]?.[level];
      if (!p) problems.push(`fields.${field}.${level}: missing`);
      else if (!(p.m > 0 && p.m <= 1 && p.u > 0 && p.u <= 1)) problems.push(`fields.${field}.${level}: m and u must be in (0, 1]`);
    }
  }
  return problems;
}
