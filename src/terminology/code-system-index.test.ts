import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CodeSystemIndex } from './code-system-index.ts';
import { applyFilter } from './expander.ts';

describe('CodeSystemIndex', () => {
  test('a hierarchy stated by parent, child and subsumedBy properties reads like nesting', () => {
    const index = new CodeSystemIndex({
      resourceType: 'CodeSystem', content: 'complete',
      concept: [
        { code: 'root' },
        { code: 'a', property: [{ code: 'parent', valueCode: 'root' }] },
        { code: 'b', property: [{ code: 'subsumedBy', valueCode: 'a' }] },
        { code: 'c', property: [{ code: 'child', valueCode: 'd' }] },
        { code: 'd' },
      ],
    });
    const at = (code: string) => index.position(code) as number;
    assert.equal(index.subsumption(at('root'), at('b')), 'subsumes');
    assert.equal(index.subsumption(at('b'), at('a')), 'subsumed-by');
    assert.equal(index.subsumption(at('c'), at('d')), 'subsumes');
    assert.equal(index.subsumption(at('a'), at('d')), 'not-subsumed');
    assert.deepEqual(index.propertyValues(at('a'), 'child'), ['b']);
    const all = index.concepts.map((_, i) => i);
    assert.deepEqual(applyFilter(index, { property: 'concept', op: 'is-a', value: 'a' }, all).map((p) => index.concepts[p].code), ['a', 'b']);
    assert.deepEqual(applyFilter(index, { property: 'concept', op: 'generalizes', value: 'b' }, all).map((p) => index.concepts[p].code), ['root', 'a', 'b']);
    assert.deepEqual(applyFilter(index, { property: 'concept', op: 'is-not-a', value: 'root' }, all).map((p) => index.concepts[p].code), ['c', 'd']);
  });

  test('case-insensitive code systems find codes in any case; a cycle does not loop', () => {
    const index = new CodeSystemIndex({
      resourceType: 'CodeSystem', caseSensitive: false, content: 'complete',
      concept: [{ code: 'X', property: [{ code: 'parent', valueCode: 'y' }] }, { code: 'Y', property: [{ code: 'parent', valueCode: 'x' }] }],
    });
    assert.equal(index.get('x')?.code, 'X');
    assert.deepEqual([...index.descendants(index.position('x') as number)], [1]);
  });
});
