import assert from 'node:assert/strict';
import { test } from 'node:test';
import { phoneticKey } from './phonetic-key.ts';

test('spelling variants of one Rwandan or French name share a key', () => {
  const same: Array<[string, string]> = [
    ['Uwimana', 'Uwimanna'], // doubled consonant
    ['Mukamana', 'Mukamaana'], // doubled vowel
    ['Kalisa', 'Karisa'], // r/l
    ['Umulisa', 'Umurisa'],
    ['Théogène', 'Theogene'], // accents, th
    ['Claude', 'Klaude'], // c/k
    ['Célestin', 'Selestin'], // soft c
    ['Mucyo', 'Muchyo'], // cy/chy
    ['Nyiramana', 'Niramana'], // y after a consonant
    ['Shyaka', 'Shaka'],
    ['Yvonne', 'Ivonne'], // y/i
    ['Niyonsaba', 'Nionsaba'],
    ['Philomène', 'Filomene'], // ph/f
    ['Habimana', 'Abimana'], // silent h
    ['Jean Baptiste', 'Jeanbaptiste'], // merged
    ['JEAN-BAPTISTE', 'jean baptiste'],
  ];
  for (const [a, b] of same) assert.equal(phoneticKey(a), phoneticKey(b), `${a} / ${b}`);
});

test('different names keep different keys, even with a long shared prefix', () => {
  const different: Array<[string, string]> = [
    ['Niyonsaba', 'Niyonsenga'],
    ['Nsabimana', 'Nsanzimana'],
    ['Mukamana', 'Mukandayisenga'],
    ['Uwase', 'Uwera'],
    ['Habimana', 'Hakizimana'],
    ['Jean', 'Jeanne'],
  ];
  for (const [a, b] of different) assert.notEqual(phoneticKey(a), phoneticKey(b), `${a} / ${b}`);
});

test('empty and non-letter input gives an empty key', () => {
  assert.equal(phoneticKey(''), '');
  assert.equal(phoneticKey(' - . '), '');
});
