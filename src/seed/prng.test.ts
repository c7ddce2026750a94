import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hash32, mulberry32, Rng } from './prng.ts';

describe('mulberry32', () => {
  test('is deterministic and yields uint32 values', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      assert.equal(x, b());
      assert.ok(Number.isInteger(x) && x >= 0 && x < 2 ** 32);
    }
  });
  test('different seeds give different streams', () => {
    const a = mulberry32(1);
    const b = mulberry32(2);
    assert.notDeepEqual([a(), a(), a()], [b(), b(), b()]);
  });
});

describe('Rng', () => {
  test('float is in [0, 1) with a sane mean', () => {
    const r = new Rng(7);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) {
      const x = r.float();
      assert.ok(x >= 0 && x < 1);
      sum += x;
    }
    assert.ok(Math.abs(sum / 20_000 - 0.5) < 0.01);
  });
  test('int covers [min, max] inclusive and nothing else', () => {
    const r = new Rng(3);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(r.int(-2, 3));
    assert.deepEqual([...seen].sort((a, b) => a - b), [-2, -1, 0, 1, 2, 3]);
  });
  test('weighted follows the weights', () => {
    const r = new Rng(5);
    let a = 0;
    for (let i = 0; i < 10_000; i++) if (r.weighted([['a', 3], ['b', 1]] as const) === 'a') a++;
    assert.ok(Math.abs(a / 10_000 - 0.75) < 0.02);
  });
  test('sample returns distinct items', () => {
    const r = new Rng(9);
    const s = r.sample([1, 2, 3, 4, 5, 6], 4);
    assert.equal(new Set(s).size, 4);
    assert.equal(r.sample([1, 2], 5).length, 2);
  });
  test('uuid is a well-formed v4 UUID, deterministic and unique', () => {
    const a = new Rng(11);
    const b = new Rng(11);
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const u = a.uuid();
      assert.match(u, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(u, b.uuid());
      assert.ok(!seen.has(u));
      seen.add(u);
    }
  });
  test('fork depends on the parent seed and the label only', () => {
    const r = new Rng(1);
    r.float(); // consuming the parent does not change its forks
    assert.equal(r.fork('x').uint32(), new Rng(1).fork('x').uint32());
    assert.notEqual(new Rng(1).fork('x').uint32(), new Rng(1).fork('y').uint32());
    assert.notEqual(new Rng(1).fork('x').uint32(), new Rng(2).fork('x').uint32());
  });
  test('hash32 is stable', () => {
    assert.equal(hash32('abc'), hash32('abc'));
    assert.notEqual(hash32('abc'), hash32('abd'));
    assert.notEqual(hash32('abc', 1), hash32('abc', 2));
  });
});
