/**
 * Fellegi–Sunter model: for each field and agreement level, m = P(level | same person) and
 * u = P(level | different people); a pair's score is the sum over observed fields of
 * log2(m / u). Missing fields contribute 0.
 */
import { FIELD_LEVELS, type MatchField } from './comparators.ts';

export interface LevelProbabilities {
  m: number;
  u: number;
}

export interface MatchModel {
  version: string;
  fields: Record<string, Record<string, LevelProbabilities>>;
  estimatedFrom?: { pairs: number; iterations: number; converged?: boolean; matchProportion?: number };
}

/**
 * Starting values, written by hand from what clerks get wrong (see synthetic-people.ts). `u` is
 * relative to candidate pairs from blocking (which already share a phone, an ID fragment or a
 * name and birth year), not to random pairs: that is the population the scores are used on.
 * `estimateModel` replaces them with values learned from the data.
 */
export const defaultModel: MatchModel = {
  version: 'default-1',
  fields: {
    nationalId: {
      exact: { m: 0.9, u: 0.0005 },
      replacement: { m: 0.02, u: 0.0001 },
      typo: { m: 0.03, u: 0.001 },
      disagree: { m: 0.05, u: 0.9984 },
    },
    given: {
      exact: { m: 0.72, u: 0.05 },
      phonetic: { m: 0.08, u: 0.01 },
      close: { m: 0.07, u: 0.01 },
      partial: { m: 0.1, u: 0.05 },
      disagree: { m: 0.03, u: 0.88 },
    },
    family: {
      exact: { m: 0.72, u: 0.03 },
      phonetic: { m: 0.08, u: 0.01 },
      close: { m: 0.07, u: 0.01 },
      partial: { m: 0.08, u: 0.02 },
      disagree: { m: 0.05, u: 0.93 },
    },
    birthDate: {
      exact: { m: 0.6, u: 0.01 },
      transposed: { m: 0.02, u: 0.0005 },
      'year-month': { m: 0.05, u: 0.005 },
      year: { m: 0.25, u: 0.05 },
      'other-date': { m: 0.03, u: 0.02 },
      'year-off-by-one': { m: 0.03, u: 0.05 },
      disagree: { m: 0.02, u: 0.8645 },
    },
    sex: {
      agree: { m: 0.98, u: 0.55 },
      disagree: { m: 0.02, u: 0.45 },
    },
    phone: {
      exact: { m: 0.6, u: 0.15 },
      typo: { m: 0.03, u: 0.001 },
      disagree: { m: 0.37, u: 0.849 },
    },
    address: {
      village: { m: 0.7, u: 0.2 },
      cell: { m: 0.1, u: 0.1 },
      sector: { m: 0.08, u: 0.15 },
      district: { m: 0.05, u: 0.25 },
      disagree: { m: 0.07, u: 0.3 },
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
