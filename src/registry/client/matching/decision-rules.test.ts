import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DecisionRulesError, decide, defaultDecisionRules, parseDecisionRules } from './decision-rules.ts';
import type { PairComparison } from './match-pair.ts';

const valid = () => structuredClone(defaultDecisionRules) as unknown as Record<string, any>;

function problems(json: unknown): string[] {
  try {
    parseDecisionRules(json);
  } catch (e) {
    assert.ok(e instanceof DecisionRulesError);
    assert.match(e.message, /invalid decision rules/);
    return e.problems;
  }
  assert.fail('expected parseDecisionRules to throw');
}

test('the default rules are valid and parse to an equal copy', () => {
  const parsed = parseDecisionRules(JSON.parse(JSON.stringify(defaultDecisionRules)));
  assert.deepEqual(parsed, defaultDecisionRules);
  assert.notEqual(parsed, defaultDecisionRules);
});

test('not an object', () => {
  assert.deepEqual(problems(null), ['$: must be an object, got null']);
  assert.deepEqual(problems([1]), ['$: must be an object, got an array']);
});

test('missing fields are named with their path', () => {
  const r = valid();
  delete r.reviewAbove;
  delete r.safeguards.twins.decision;
  assert.deepEqual(problems(r), ['$.reviewAbove: is required', '$.safeguards.twins.decision: is required']);
});

test('wrong types, out-of-range integers, bad enum values, unknown fields', () => {
  const r = valid();
  r.autoLinkAbove = '17';
  r.version = 0;
  r.safeguards.parentChild.minBirthYearGap = 2.5;
  r.safeguards.twins.decision = 'link';
  r.safeguards.twins.maxGivenSimilarity = 1.5;
  r.safeguards.nationalIdConflict.enabled = 'yes';
  r.autolinkAbove = 3;
  const p = problems(r);
  assert.ok(p.includes('$.autoLinkAbove: must be a finite number, got the string "17"'), p.join('\n'));
  assert.ok(p.some((x) => x.startsWith('$.version: must be an integer from 1')));
  assert.ok(p.some((x) => x.startsWith('$.safeguards.parentChild.minBirthYearGap: must be an integer from 1 to 150, got number 2.5')));
  assert.ok(p.includes('$.safeguards.twins.decision: must be one of "new", "review", got the string "link"'));
  assert.ok(p.some((x) => x.startsWith('$.safeguards.twins.maxGivenSimilarity: must be a number from 0 to 1')));
  assert.ok(p.some((x) => x.startsWith('$.safeguards.nationalIdConflict.enabled: must be true or false')));
  assert.ok(p.some((x) => x.startsWith('$.autolinkAbove: unknown field')));
  assert.equal(p.length, 7);
});

test('thresholds must be ordered', () => {
  const r = valid();
  r.autoLinkAbove = 10;
  r.reviewAbove = 12;
  assert.deepEqual(problems(r), ['$.autoLinkAbove: must be greater than $.reviewAbove (10 ≤ 12)']);
  const s = valid();
  s.possibleAbove = 20;
  assert.deepEqual(problems(s), ['$.reviewAbove: must be at least $.possibleAbove (16 < 20)']);
  const t = valid();
  t.reviewAbove = Number.NaN;
  assert.deepEqual(problems(t), ['$.reviewAbove: must be a finite number, got number NaN']);
});

function comparison(score: number, levels: Record<string, string>): PairComparison {
  return { score, fields: Object.entries(levels).map(([field, level]) => ({ field, level, weight: 0 })) };
}

test('decide: thresholds and IHE match grades', () => {
  const r = defaultDecisionRules;
  assert.deepEqual(decide(comparison(r.autoLinkAbove + 1, {}), r), { decision: 'link', grade: 'certain', rule: 'score' });
  assert.deepEqual(decide(comparison(r.reviewAbove + 1, {}), r), { decision: 'review', grade: 'probable', rule: 'score' });
  assert.deepEqual(decide(comparison(r.possibleAbove + 1, {}), r), { decision: 'new', grade: 'possible', rule: 'score' });
  assert.deepEqual(decide(comparison(-5, {}), r), { decision: 'new', grade: 'certainly-not', rule: 'score' });
});

test('decide: without facts, a shared national ID still links (facts derived from the field levels)', () => {
  assert.equal(decide(comparison(0, { nationalId: 'exact', given: 'exact', family: 'exact' }), defaultDecisionRules).decision, 'link');
});

test('decide: a disabled safeguard does not fire', () => {
  const r = structuredClone(defaultDecisionRules);
  const c: PairComparison = {
    score: 30,
    fields: [],
    facts: { sharedNationalId: false, nationalIdTypo: false, birthYearGap: 30, sameFullBirthDate: false, sexDisagree: false, namesSwapped: false, givenSimilarity: 0, sharedPhone: true, sameVillage: true },
  };
  assert.equal(decide(c, r).rule, 'parent-child');
  r.safeguards.parentChild.enabled = false;
  assert.equal(decide(c, r).decision, 'link');
});
