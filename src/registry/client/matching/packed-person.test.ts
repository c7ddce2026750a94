import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blockingKeys, candidatePairs } from './blocking-keys.ts';
import { defaultModel } from './fellegi-sunter.ts';
import { comparePair } from './match-pair.ts';
import { packPerson, unpackPerson } from './packed-person.ts';
import { generateSyntheticPeople } from './synthetic-people.ts';

const { records } = generateSyntheticPeople({ people: 800, seed: 11 });

test('a person unpacked is the person packed, field for field', () => {
  for (const r of records) assert.deepEqual(unpackPerson(packPerson(r)), JSON.parse(JSON.stringify(r)));
});

test('unpacked persons compare and block exactly as the originals (name forms and national-ID facts included)', () => {
  const fresh = () => generateSyntheticPeople({ people: 800, seed: 11 }).records;
  const unpacked = fresh().map((r) => unpackPerson(packPerson(r)));
  const originals = fresh();
  const { pairs } = candidatePairs(originals);
  assert.ok(pairs.length > 500, `${pairs.length} pairs`);
  for (const [i, j] of pairs) {
    assert.deepEqual(comparePair(unpacked[i], unpacked[j], defaultModel), comparePair(originals[i], originals[j], defaultModel), `${originals[i].id} / ${originals[j].id}`);
  }
  for (const [i, r] of originals.entries()) assert.deepEqual(blockingKeys(unpacked[i]), blockingKeys(r));
});

test('records without birth date or sex carry what their national ID says', () => {
  const withoutFacts = records.filter((r) => (!r.birthDate || !r.sex) && r.nationalIds.length > 0);
  assert.ok(withoutFacts.length > 0);
  const packed = packPerson(withoutFacts[0]);
  assert.ok(JSON.parse(packed)[2] !== null, packed);
});
