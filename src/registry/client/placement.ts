/**
 * Where a source record goes: the registry's linking decision, in one place. The per-record write
 * hook (client-registry.ts) and the bulk loader (bulk-load.ts) gather the facts differently (one
 * record's SQL, or one SQL per batch plus the records of the batch itself) and hand them to these
 * functions, so both decide alike. Pure: no database, no FHIR store.
 */
import {
  comparePair, decide, type DecisionRules, type MatchModel, type PairComparison, type PersonRecord,
} from './matching/index.ts';
import type { LinkMethod } from './registry-store.ts';

/** Candidates read per record: blocks of common names are capped so one match never scans a district. */
export const maxCandidates = 200;

/** A source record already placed: its person and the golden record it is linked to. */
export interface PlacedSource {
  sourceId: string;
  goldenId: string;
  person: PersonRecord;
}

export interface ScoredCandidate {
  goldenId: string;
  sourceId: string;
  comparison: PairComparison;
  decision: 'link' | 'review' | 'new';
  grade: 'certain' | 'probable' | 'possible' | 'certainly-not';
}

/** Records holding one of the record's person-unique identifiers; `index` is the identifier's position in Patient.identifier. */
export interface IdentifierHolder {
  index: number;
  source: PlacedSource;
}

export type IdentifierMatch =
  | { kind: 'none' }
  | { kind: 'match'; goldenId: string; comparison: PairComparison }
  /** Two people claim one identifier: no rule may settle that quietly, a steward must. */
  | { kind: 'conflict'; index: number; goldenId: string };

/**
 * Same value in a person-unique domain means same person, unless the demographics say clearly
 * otherwise: then the identifier is claimed by two people.
 */
export function matchByIdentifiers(person: PersonRecord, holders: readonly IdentifierHolder[], model: MatchModel, rules: DecisionRules): IdentifierMatch {
  const firstIndex = new Map<string, number>();
  const sources: PlacedSource[] = [];
  for (const h of holders) {
    if (firstIndex.has(h.source.sourceId)) continue;
    firstIndex.set(h.source.sourceId, h.index);
    sources.push(h.source);
  }
  let found: { goldenId: string; comparison: PairComparison } | undefined;
  for (const other of sources) {
    const comparison = comparePair(person, other.person, model);
    if (claimedByAnother(comparison, decide(comparison, rules))) return { kind: 'conflict', index: firstIndex.get(other.sourceId)!, goldenId: other.goldenId };
    if (!found || comparison.score > found.comparison.score) found = { goldenId: other.goldenId, comparison };
  }
  return found ? { kind: 'match', ...found } : { kind: 'none' };
}

/**
 * A shared person-unique identifier links records unless the demographics speak against it: a
 * safeguard fired (different sex and birth decades, twins, parent and child) or at least two of
 * name, birth date and sex disagree. Sparse records (a name and nothing else, as identity feeds
 * often send) score low without disagreeing: for them the identifier decides.
 */
function claimedByAnother(comparison: PairComparison, d: { decision: string; rule: string }): boolean {
  if (d.decision === 'link') return false;
  if (d.rule !== 'score') return true;
  const core = new Set(['given', 'family', 'birthDate', 'sex']);
  return comparison.fields.filter((f) => core.has(f.field) && f.weight < 0).length >= 2;
}

/**
 * Scores blocking candidates, best first, one per golden record. `skip` leaves out candidates a
 * steward said are someone else, and the record's own person.
 */
export function rankCandidates(person: PersonRecord, candidates: Iterable<PlacedSource>, model: MatchModel, rules: DecisionRules, skip: (c: PlacedSource) => boolean): ScoredCandidate[] {
  const best = new Map<string, ScoredCandidate>();
  for (const other of candidates) {
    if (skip(other)) continue;
    const comparison = comparePair(person, other.person, model);
    const d = decide(comparison, rules);
    const prior = best.get(other.goldenId);
    if (!prior || comparison.score > prior.comparison.score) best.set(other.goldenId, { goldenId: other.goldenId, sourceId: other.sourceId, comparison, ...d });
  }
  return [...best.values()].sort((a, b) => b.comparison.score - a.comparison.score);
}

export interface Placement {
  /** undefined: a new person (the caller names the new golden record). */
  goldenId: string | undefined;
  method: LinkMethod;
  score: number | null;
  /** Potential matches for a steward's review queue. */
  reviews: ScoredCandidate[];
}

/**
 * The decision: an identifier match wins; else the best probabilistic candidate above the auto-link
 * threshold; else a new person (keeping the golden record the source had if it was alone on it).
 */
export function choosePlacement(byIdentifier: IdentifierMatch, scored: readonly ScoredCandidate[], previous: { golden_id: string; method: LinkMethod } | undefined): Placement {
  if (byIdentifier.kind === 'match') return { goldenId: byIdentifier.goldenId, method: 'identifier', score: byIdentifier.comparison.score, reviews: [] };
  if (byIdentifier.kind === 'conflict') throw new Error('an identifier conflict has no placement');
  const best = scored[0];
  const placed: Omit<Placement, 'reviews'> = best && best.decision === 'link'
    ? { goldenId: best.goldenId, method: 'probabilistic', score: best.comparison.score }
    : { goldenId: previous?.method === 'new' ? previous.golden_id : undefined, method: 'new', score: null };
  return { ...placed, reviews: scored.filter((c) => c.decision === 'review' && c.goldenId !== placed.goldenId) };
}

/** What a review stores about a pair: per-field agreement levels and weights, never the values. */
export function reviewFields(c: ScoredCandidate): unknown {
  return c.comparison.fields.map(({ a: _a, b: _b, ...f }) => f);
}
