/**
 * Decision rules: thresholds on the Fellegi–Sunter score plus safeguards against the merges that
 * hurt most (a merged record mixes two people's clinical histories; a missed link only duplicates
 * one). Kept as versioned JSON so that the registry can record which rules made each decision.
 */
import type { PairComparison, PairFacts } from './match-pair.ts';

export type Decision = 'link' | 'review' | 'new';
/** IHE PDQm / PIXm match-grade extension codes. */
export type MatchGrade = 'certain' | 'probable' | 'possible' | 'certainly-not';

export interface DecisionRules {
  /** Increase whenever anything below changes. */
  version: number;
  /** Score (sum of log2 m/u) above which a pair is linked automatically. */
  autoLinkAbove: number;
  /** Score above which a pair goes to human review; below it, the record is a new person. */
  reviewAbove: number;
  /** Score above which a 'new' decision is still graded 'possible' rather than 'certainly-not' (search results). */
  possibleAbove: number;
  safeguards: {
    /** Same national ID on records that disagree on sex, birth year and names: a data-entry error on one side. */
    nationalIdConflict: {
      enabled: boolean;
      /** Birth years further apart than this count as a conflict. */
      maxBirthYearGap: number;
      /** How many of {sex, birth year, names} must conflict before the link is sent to review. */
      minConflicts: number;
    };
    /**
     * Same full birth date, same household (phone or village), given names disagree and are not
     * merely misspelt (Jaro–Winkler below `maxGivenSimilarity`).
     */
    twins: { enabled: boolean; maxGivenSimilarity: number; decision: 'new' | 'review' };
    /** Same household (phone or village), birth years at least `minBirthYearGap` apart. */
    parentChild: { enabled: boolean; minBirthYearGap: number; decision: 'new' | 'review' };
    /** National IDs one digit apart, names and birth year agree: never a new person. */
    nationalIdTypo: { enabled: boolean; maxBirthYearGap: number };
  };
}

export const defaultDecisionRules: DecisionRules = {
  version: 1,
  // Tuned on synthetic seed 1 at 20,000 people (bench/match-quality.ts --sweep); scores are
  // relative to random pairs, so a much larger registry needs higher thresholds (see ADR 0015).
  autoLinkAbove: 17,
  reviewAbove: 16,
  possibleAbove: 10,
  safeguards: {
    nationalIdConflict: { enabled: true, maxBirthYearGap: 5, minConflicts: 2 },
    twins: { enabled: true, maxGivenSimilarity: 0.85, decision: 'new' },
    parentChild: { enabled: true, minBirthYearGap: 14, decision: 'new' },
    nationalIdTypo: { enabled: true, maxBirthYearGap: 1 },
  },
};

type Check = (v: unknown, path: string, problems: string[]) => void;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return typeof v;
}

const finite: Check = (v, path, problems) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) problems.push(`${path}: must be a finite number, got ${describe(v)}`);
};
const boolean: Check = (v, path, problems) => {
  if (typeof v !== 'boolean') problems.push(`${path}: must be true or false, got ${describe(v)}`);
};
const unitInterval: Check = (v, path, problems) => {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) problems.push(`${path}: must be a number from 0 to 1, got ${describe(v)}`);
};
function integer(min: number, max: number): Check {
  return (v, path, problems) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      problems.push(`${path}: must be an integer from ${min} to ${max}, got ${describe(v)}`);
    }
  };
}
function oneOf(...values: string[]): Check {
  return (v, path, problems) => {
    if (typeof v !== 'string' || !values.includes(v)) problems.push(`${path}: must be one of ${values.map((x) => `"${x}"`).join(', ')}, got ${describe(v)}`);
  };
}
function object(shape: Record<string, Check>): Check {
  return (v, path, problems) => {
    if (!isObject(v)) {
      problems.push(`${path}: must be an object, got ${describe(v)}`);
      return;
    }
    for (const [k, check] of Object.entries(shape)) {
      if (!(k in v)) problems.push(`${path}.${k}: is required`);
      else check(v[k], `${path}.${k}`, problems);
    }
    for (const k of Object.keys(v)) if (!(k in shape)) problems.push(`${path}.${k}: unknown field (allowed: ${Object.keys(shape).join(', ')})`);
  };
}

const rulesShape = object({
  version: integer(1, Number.MAX_SAFE_INTEGER),
  autoLinkAbove: finite,
  reviewAbove: finite,
  possibleAbove: finite,
  safeguards: object({
    nationalIdConflict: object({ enabled: boolean, maxBirthYearGap: integer(0, 150), minConflicts: integer(1, 3) }),
    twins: object({ enabled: boolean, maxGivenSimilarity: unitInterval, decision: oneOf('new', 'review') }),
    parentChild: object({ enabled: boolean, minBirthYearGap: integer(1, 150), decision: oneOf('new', 'review') }),
    nationalIdTypo: object({ enabled: boolean, maxBirthYearGap: integer(0, 150) }),
  }),
});

export class DecisionRulesError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid decision rules:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'DecisionRulesError';
    this.problems = problems;
  }
}

/** Validates decision rules (e.g. from a JSON file); throws a DecisionRulesError listing every problem with its JSON path ($.a.b). */
export function parseDecisionRules(json: unknown): DecisionRules {
  const problems: string[] = [];
  rulesShape(json, '$', problems);
  if (problems.length === 0) {
    const r = json as DecisionRules;
    if (!(r.autoLinkAbove > r.reviewAbove)) problems.push(`$.autoLinkAbove: must be greater than $.reviewAbove (${r.autoLinkAbove} ≤ ${r.reviewAbove})`);
    if (!(r.reviewAbove >= r.possibleAbove)) problems.push(`$.reviewAbove: must be at least $.possibleAbove (${r.reviewAbove} < ${r.possibleAbove})`);
  }
  if (problems.length > 0) throw new DecisionRulesError(problems);
  return structuredClone(json as DecisionRules);
}

const NAME_LEVELS_AGREEING = new Set(['exact', 'phonetic', 'close', 'partial']);

/** Facts from the field levels alone, for comparisons built without them (birth-year gap unknown). */
function factsOf(c: PairComparison): PairFacts {
  if (c.facts) return c.facts;
  const level = (f: string) => c.fields.find((x) => x.field === f)?.level;
  const nid = level('nationalId');
  const given = level('given');
  const family = level('family');
  const facts: PairFacts = {
    sharedNationalId: nid === 'exact' || nid === 'replacement',
    nationalIdTypo: nid === 'typo',
    sameFullBirthDate: level('birthDate') === 'exact',
    sexDisagree: level('sex') === 'disagree',
    namesSwapped: false,
    givenSimilarity: given === 'disagree' ? 0 : 1,
    sharedPhone: level('phone') === 'exact',
    sameVillage: level('address') === 'village',
  };
  if (given && given !== 'missing') facts.givenLevel = given;
  if (family && family !== 'missing') facts.familyLevel = family;
  return facts;
}

export interface DecisionResult {
  decision: Decision;
  grade: MatchGrade;
  /** Why: 'score', or the deterministic rule / safeguard that decided. */
  rule: string;
}

export function decide(c: PairComparison, rules: DecisionRules): DecisionResult {
  const f = factsOf(c);
  const sg = rules.safeguards;
  const gap = f.birthYearGap;
  const household = f.sharedPhone || f.sameVillage;

  if (f.sharedNationalId) {
    if (sg.nationalIdConflict.enabled) {
      const namesDiffer = f.givenLevel === 'disagree' && f.familyLevel === 'disagree';
      const conflicts = Number(f.sexDisagree) + Number(gap !== undefined && gap > sg.nationalIdConflict.maxBirthYearGap) + Number(namesDiffer);
      if (conflicts >= sg.nationalIdConflict.minConflicts) return { decision: 'review', grade: 'probable', rule: 'national-id-conflict' };
    }
    return { decision: 'link', grade: 'certain', rule: c.deterministic ?? 'same-national-id' };
  }

  if (sg.twins.enabled && f.sameFullBirthDate && household && f.givenLevel === 'disagree' && f.givenSimilarity < sg.twins.maxGivenSimilarity) {
    return { decision: sg.twins.decision, grade: sg.twins.decision === 'review' ? 'possible' : 'certainly-not', rule: 'twins' };
  }
  if (sg.parentChild.enabled && household && gap !== undefined && gap >= sg.parentChild.minBirthYearGap) {
    return { decision: sg.parentChild.decision, grade: sg.parentChild.decision === 'review' ? 'possible' : 'certainly-not', rule: 'parent-child' };
  }

  if (c.score > rules.autoLinkAbove) return { decision: 'link', grade: 'certain', rule: 'score' };
  if (c.score > rules.reviewAbove) return { decision: 'review', grade: 'probable', rule: 'score' };

  if (
    sg.nationalIdTypo.enabled &&
    f.nationalIdTypo &&
    NAME_LEVELS_AGREEING.has(f.givenLevel ?? '') &&
    NAME_LEVELS_AGREEING.has(f.familyLevel ?? '') &&
    (gap === undefined || gap <= sg.nationalIdTypo.maxBirthYearGap)
  ) {
    return { decision: 'review', grade: 'probable', rule: 'national-id-typo' };
  }
  return { decision: 'new', grade: c.score > rules.possibleAbove ? 'possible' : 'certainly-not', rule: 'score' };
}
