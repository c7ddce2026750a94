import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WordIndex, splitWords } from './word-index.ts';

describe('WordIndex', () => {
  const index = new WordIndex([
    ['HTN', 'Essential hypertension'],
    ['MAL', 'Malaria, unspecified'],
    ['SMAL', 'Severe malaria', 'Paludisme grave'],
    ['HC', 'Hôpital de district'],
  ]);

  test('each filter word must start a word of the entry', () => {
    assert.deepEqual(index.search('mal'), [1, 2]);
    assert.deepEqual(index.search('sev mal'), [2]);
    assert.deepEqual(index.search('MALARIA  severe'), [2]);
    assert.deepEqual(index.search('alaria'), []);
    assert.deepEqual(index.search('hyp ess'), [0]);
  });

  test('codes, designations and accents', () => {
    assert.deepEqual(index.search('htn'), [0]);
    assert.deepEqual(index.search('palud'), [2]);
    assert.deepEqual(index.search('hopital'), [3]);
    assert.deepEqual(index.search('HÔPITAL'), [3]);
  });

  test('an empty filter matches everything; punctuation separates words', () => {
    assert.deepEqual(index.search(' , '), [0, 1, 2, 3]);
    assert.deepEqual(splitWords("Ibitaro by'akarere"), ['ibitaro', 'by', 'akarere']);
  });
});
