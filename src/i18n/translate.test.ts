import { test } from 'node:test';
import assert from 'node:assert/strict';
import en from './en.json' with { type: 'json' };
import fr from './fr.json' with { type: 'json' };
import rw from './rw.json' with { type: 'json' };
import { pickLanguage, translate } from './translate.ts';

test('the three catalogs have the same keys and no empty text', () => {
  const keys = Object.keys(en).sort();
  assert.deepEqual(Object.keys(fr).sort(), keys);
  assert.deepEqual(Object.keys(rw).sort(), keys);
  for (const catalog of [en, fr, rw]) for (const value of Object.values(catalog)) assert.ok(value.trim().length > 0);
});

test('placeholders are filled in every language', () => {
  assert.equal(translate('fr', 'consent.title', { client: 'OpenMRS Kibagabaga' }), 'Autoriser OpenMRS Kibagabaga à utiliser vos données ?');
  assert.equal(translate('rw', 'login.submit'), 'Injira');
});

test('language choice: explicit, then Accept-Language, then English', () => {
  assert.equal(pickLanguage('rw', 'fr-FR,fr;q=0.9'), 'rw');
  assert.equal(pickLanguage(undefined, 'fr-FR,fr;q=0.9,en;q=0.8'), 'fr');
  assert.equal(pickLanguage(undefined, 'kin'), 'rw');
  assert.equal(pickLanguage(undefined, 'de-DE'), 'en');
});
