import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNationalId } from '../national-id.ts';
import { generateSyntheticPeople } from './synthetic-people.ts';

test('deterministic from the seed', () => {
  const a = generateSyntheticPeople({ people: 300, seed: 4 });
  const b = generateSyntheticPeople({ people: 300, seed: 4 });
  const c = generateSyntheticPeople({ people: 300, seed: 5 });
  assert.deepEqual(a.records, b.records);
  assert.notDeepEqual(a.records, c.records);
});

test('households: names not inherited, shared phones, twins, duplicates with ground truth', () => {
  const d = generateSyntheticPeople({ people: 4000, seed: 6 });
  const byHousehold = new Map<string, typeof d.people>();
  for (const p of d.people) byHousehold.set(p.householdId, [...(byHousehold.get(p.householdId) ?? []), p]);
  let childSharesParentFamily = 0;
  let children = 0;
  for (const members of byHousehold.values()) {
    const parents = members.filter((m) => m.role !== 'child');
    for (const child of members.filter((m) => m.role === 'child')) {
      children++;
      if (parents.some((p) => p.truth.family[0] === child.truth.family[0])) childSharesParentFamily++;
    }
  }
  assert.ok(children > 1000);
  assert.equal(childSharesParentFamily, 0, 'family names are not inherited');
  const twins = d.people.filter((p) => p.twinOf);
  assert.ok(twins.length > 10);
  for (const t of twins) {
    const other = d.people.find((p) => p.personId === t.twinOf)!;
    assert.equal(t.truth.birthDate, other.truth.birthDate);
    assert.notDeepEqual(t.truth.family, other.truth.family, 'twins have names of their own');
  }
  assert.ok(d.records.length > d.people.length * 1.4, 'about half the people have duplicate records');
  assert.equal(d.truth.size, d.records.length);
  assert.ok(d.records.some((r) => /^\d{4}$/.test(r.birthDate ?? '')), 'year-only birth dates');
  // real IDs are valid; some records carry a typo that fails the check digits
  const ids = d.records.flatMap((r) => r.nationalIds);
  const invalid = ids.filter((id) => !parseNationalId(id, { currentYear: 2025 }).ok).length;
  assert.ok(invalid > 0 && invalid < ids.length * 0.06, `${invalid} invalid of ${ids.length}`);
});
