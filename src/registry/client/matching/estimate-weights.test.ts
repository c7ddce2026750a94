import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIELD_LEVELS, MATCH_FIELDS, type MatchField } from './comparators.ts';
import { estimateFromLevels, estimateU, estimateUInSlices, naiveStartModel, patternCounts } from './estimate-weights.ts';
import type { PairLevels } from './match-pair.ts';
import { Rng } from '../../../seed/prng.ts';
import { generateSyntheticPeople } from './synthetic-people.ts';

/** Known m/u for a few fields; pairs are drawn from the mixture, so the truth is exact. */
const TRUTH: Partial<Record<MatchField, { m: number[]; u: number[] }>> = {
  given: { m: [0.75, 0.1, 0.06, 0.06, 0.03], u: [0.04, 0.01, 0.01, 0.04, 0.9] },
  family: { m: [0.8, 0.08, 0.06, 0.03, 0.03], u: [0.03, 0.01, 0.01, 0.02, 0.93] },
  birthDate: { m: [0.6, 0.02, 0.03, 0.25, 0.04, 0.04, 0.02], u: [0.01, 0.001, 0.005, 0.04, 0.05, 0.1, 0.794] },
  sex: { m: [0.98, 0.02], u: [0.5, 0.5] },
  phone: { m: [0.6, 0.05, 0.35], u: [0.2, 0.001, 0.799] },
};

function draw(rng: Rng, probs: number[]): number {
  let x = rng.float();
  for (let i = 0; i < probs.length; i++) {
    x -= probs[i];
    if (x < 0) return i;
  }
  return probs.length - 1;
}

function simulate(n: number, p: number, seed: number): PairLevels[] {
  const rng = new Rng(seed);
  const out: PairLevels[] = [];
  for (let k = 0; k < n; k++) {
    const match = rng.chance(p);
    const levels: PairLevels = {};
    for (const [f, t] of Object.entries(TRUTH) as [MatchField, { m: number[]; u: number[] }][]) {
      if (rng.chance(0.1)) continue; // missing field
      levels[f] = FIELD_LEVELS[f][draw(rng, match ? t.m : t.u)];
    }
    out.push(levels);
  }
  return out;
}

test('EM recovers m, u and the match share of simulated pairs from an uninformed start', () => {
  const { model, trace } = estimateFromLevels(patternCounts(simulate(40_000, 0.3, 7)).values(), naiveStartModel(), { anchorOnNationalId: false });
  assert.ok(trace.converged, 'converged');
  assert.ok(Math.abs(trace.matchProportion - 0.3) < 0.02, `match share ${trace.matchProportion}`);
  for (const [f, t] of Object.entries(TRUTH) as [MatchField, { m: number[]; u: number[] }][]) {
    FIELD_LEVELS[f].forEach((level, i) => {
      const got = model.fields[f][level];
      assert.ok(Math.abs(got.m - t.m[i]) < 0.03, `${f}.${level}.m ${got.m} vs ${t.m[i]}`);
      assert.ok(Math.abs(got.u - t.u[i]) < 0.03, `${f}.${level}.u ${got.u} vs ${t.u[i]}`);
    });
  }
});

test('EM (maximum likelihood, no pseudo-counts) never lowers the likelihood', () => {
  const { trace } = estimateFromLevels(patternCounts(simulate(10_000, 0.2, 9)).values(), naiveStartModel(), { anchorOnNationalId: false, pseudoCount: 0 });
  assert.ok(trace.logLikelihood.length > 3);
  for (let i = 1; i < trace.logLikelihood.length; i++) {
    assert.ok(trace.logLikelihood[i] >= trace.logLikelihood[i - 1] - 1e-6, `iteration ${i}: ${trace.logLikelihood[i]} < ${trace.logLikelihood[i - 1]}`);
  }
});

test('EM stops at maxIterations and reports it did not converge', () => {
  const { trace } = estimateFromLevels(patternCounts(simulate(2_000, 0.3, 8)).values(), naiveStartModel(), { maxIterations: 2, anchorOnNationalId: false });
  assert.equal(trace.iterations, 2);
  assert.equal(trace.converged, false);
});

test('on synthetic people, EM over blocked pairs learns m close to the ground truth', async () => {
  const { candidatePairs } = await import('./blocking-keys.ts');
  const { compareLevels } = await import('./match-pair.ts');
  const data = generateSyntheticPeople({ people: 3000, seed: 11 });
  const { pairs } = candidatePairs(data.records);
  const levels = pairs.map(([i, j]) => compareLevels(data.records[i], data.records[j]).levels);
  const { model, trace } = estimateFromLevels(patternCounts(levels).values(), naiveStartModel());
  const same = pairs.map(([i, j]) => data.truth.get(data.records[i].id) === data.truth.get(data.records[j].id));
  const trueShare = same.filter(Boolean).length / pairs.length;
  assert.ok(Math.abs(trace.matchProportion - trueShare) < 0.02, `match share ${trace.matchProportion} vs ${trueShare}`);
  for (const f of ['given', 'family', 'birthDate'] as const) {
    const level = FIELD_LEVELS[f][0];
    let agree = 0;
    let seen = 0;
    levels.forEach((l, k) => {
      if (!same[k] || l[f] === undefined) return;
      seen++;
      if (l[f] === level) agree++;
    });
    assert.ok(Math.abs(model.fields[f][level].m - agree / seen) < 0.05, `${f}.${level}.m ${model.fields[f][level].m} vs ${agree / seen}`);
  }
});

test('estimateU on random pairs: different people rarely agree on names or phones', () => {
  const data = generateSyntheticPeople({ people: 2000, seed: 12 });
  const u = estimateU(data.records, { pairs: 50_000, seed: 1 });
  for (const f of MATCH_FIELDS) {
    const total = Object.values(u[f]).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 1) < 1e-9, `${f} sums to 1`);
  }
  assert.ok(u.given.exact < 0.02, `given exact u ${u.given.exact}`);
  assert.ok(u.phone.exact < 0.005, `phone exact u ${u.phone.exact}`);
  assert.ok(u.nationalId.disagree > 0.99);
});

test('estimateU in slices (a server thread that keeps answering) draws the same pairs and gives the same u', async () => {
  const data = generateSyntheticPeople({ people: 500, seed: 13 });
  const whole = estimateU(data.records, { pairs: 5_000, seed: 3 });
  assert.deepEqual(await estimateUInSlices(data.records, { pairs: 5_000, seed: 3, slice: 700 }), whole);
  assert.deepEqual(await estimateUInSlices(data.records.slice(0, 1), { pairs: 10, seed: 3 }), estimateU(data.records.slice(0, 1), { pairs: 10, seed: 3 }));
});
