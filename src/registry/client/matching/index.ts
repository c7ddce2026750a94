/** The client registry's matching core: pure functions, no database, no HTTP. See docs/decisions/0015-client-registry-matching.md. */
export {
  NATIONAL_ID_SYSTEM,
  normaliseNationalIdForMatch,
  normalisePhone,
  parseBirthDate,
  personFromPatient,
  type BirthDateParts,
  type PersonRecord,
  type PersonSex,
} from './person-record.ts';
export { foldName, joinedName, nameTokens } from './normalise-name.ts';
export { phoneticKey } from './phonetic-key.ts';
export {
  FIELD_LEVELS,
  MATCH_FIELDS,
  compareAddresses,
  compareBirthDates,
  compareNameParts,
  compareNames,
  compareNationalIds,
  comparePhones,
  compareSex,
  withinOneEdit,
  type MatchField,
  type NameLevel,
} from './comparators.ts';
export { defaultModel, levelWeight, validateModel, type LevelProbabilities, type MatchModel } from './fellegi-sunter.ts';
export { compareLevels, comparePair, withNationalIdFacts, type FieldComparison, type PairComparison, type PairFacts, type PairLevels } from './match-pair.ts';
export { estimateFromLevels, estimateModel, estimateU, naiveStartModel, patternCounts, type EmTrace, type EstimateOptions } from './estimate-weights.ts';
export { estimateNameFrequencies, nameCode, termU, type NameFrequencies } from './term-frequency.ts';
export { packPerson, unpackPerson } from './packed-person.ts';
export { blockingKeyKind, blockingKeys, candidatePairs } from './blocking-keys.ts';
export {
  DecisionRulesError,
  decide,
  defaultDecisionRules,
  parseDecisionRules,
  type Decision,
  type DecisionResult,
  type DecisionRules,
  type MatchGrade,
} from './decision-rules.ts';
