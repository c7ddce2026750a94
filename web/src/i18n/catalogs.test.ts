import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';

/** Every user-facing text goes through these catalogs: English, French and Kinyarwanda, the same keys in each. */
const dir = new URL('.', import.meta.url);
const load = (language: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`${language}.json`, dir), 'utf8'));

function flatten(value: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) {
      for (const [k, v] of flatten(child, prefix ? `${prefix}.${key}` : key)) out.set(k, v);
    }
  } else {
    out.set(prefix, value);
  }
  return out;
}

const languages = ['en', 'fr', 'rw'];
const catalogs = Object.fromEntries(languages.map((l) => [l, flatten(load(l))]));
const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

test('the catalogs are exactly English, French and Kinyarwanda', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
  assert.deepEqual(files, [...languages].sort());
});

for (const language of ['fr', 'rw']) {
  test(`${language} has exactly the keys of en`, () => {
    const en = [...catalogs.en.keys()].sort();
    const other = [...catalogs[language].keys()].sort();
    assert.deepEqual(other.filter((k) => !catalogs.en.has(k)), [], `keys in ${language} but not in en`);
    assert.deepEqual(en.filter((k) => !catalogs[language].has(k)), [], `keys in en but missing from ${language}`);
  });

  test(`${language} keeps every {{placeholder}} of en`, () => {
    for (const [key, text] of catalogs.en) {
      const translated = catalogs[language].get(key);
      if (typeof text !== 'string' || typeof translated !== 'string') continue;
      assert.deepEqual(placeholders(translated), placeholders(text), `${language}:${key}`);
    }
  });
}

for (const language of languages) {
  test(`${language} has no empty or non-text values`, () => {
    for (const [key, value] of catalogs[language]) {
      assert.equal(typeof value, 'string', `${language}:${key} is not text`);
      assert.ok((value as string).trim().length > 0, `${language}:${key} is empty`);
    }
  });
}

test('French and Kinyarwanda are translated, not copies of English', () => {
  for (const language of ['fr', 'rw']) {
    const same = [...catalogs.en].filter(([k, v]) => catalogs[language].get(k) === v).map(([k]) => k);
    // Names and codes may legitimately be identical (e.g. "SMS", "Patient", "Date", "Action").
    assert.ok(same.length < catalogs.en.size * 0.1, `${language}: ${same.length} texts identical to English: ${same.join(', ')}`);
  }
  assert.equal(catalogs.rw.get('auth.login'), 'Injira');
  assert.equal(catalogs.rw.get('auth.logout'), 'Sohoka');
  assert.equal(catalogs.fr.get('auth.login'), 'Se connecter');
});

test('every literal key the app uses exists in the catalogs', () => {
  const src = new URL('../', import.meta.url);
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.test.ts'));
  const missing: string[] = [];
  for (const file of files) {
    const text = readFileSync(new URL(file, src), 'utf8');
    for (const m of text.matchAll(/\bt\('([^'$]+)'/g)) if (!catalogs.en.has(m[1])) missing.push(`${file}: ${m[1]}`);
  }
  // Keys built at run time, one per value the app can produce.
  const families: Record<string, string[]> = {
    role: ['patient', 'clinician', 'specialist', 'chw', 'chw-supervisor', 'registry-steward', 'regulator', 'auditor', 'exchange-admin'],
    'audit.action': ['C', 'R', 'U', 'D', 'E'],
    'audit.outcome': ['0', '4', '8', '12'],
    'audit.authentication': ['login', 'logout'],
    'licences.status': ['active', 'suspended', 'revoked', 'expired'],
    'licences.action': ['suspend', 'revoke', 'reinstate'],
    'licences.done': ['suspend', 'revoke', 'reinstate'],
    'licences.kind': ['practitioner-licence', 'facility-digital-health-licence'],
    'matchModel.level': [
      'exact', 'replacement', 'typo', 'disagree', 'phonetic', 'close', 'partial', 'transposed', 'year-month', 'year', 'other-date',
      'year-off-by-one', 'agree', 'village', 'cell', 'sector', 'district',
    ],
    'matchModel.kind': ['estimated', 'restored', 'built-in', 'stored'],
    'matchModel.decision': ['link', 'review', 'new'],
    'duplicates.field': ['given', 'family', 'birthDate', 'sex', 'nationalId', 'phone', 'address'],
    gender: ['male', 'female', 'other', 'unknown'],
    telecom: ['phone', 'email', 'sms', 'fax', 'url', 'pager', 'other'],
    purpose: ['TREAT', 'ETREAT', 'COC', 'PATRQT', 'PUBHLTH', 'HOPERAT', 'HPAYMT', 'HRESCH', 'HLEGAL', 'HSYSADMIN'],
    resource: [
      'Patient', 'Observation', 'Encounter', 'Condition', 'MedicationRequest', 'MedicationStatement', 'DiagnosticReport',
      'Immunization', 'AllergyIntolerance', 'Procedure', 'DocumentReference', 'CarePlan', 'ServiceRequest', 'AuditEvent', 'other',
    ],
  };
  for (const [family, values] of Object.entries(families)) {
    for (const v of values) if (!catalogs.en.has(`${family}.${v}`)) missing.push(`${family}.${v}`);
  }
  for (const page of ['profile', 'access-log', 'audit-log', 'licences']) {
    for (const part of ['nav', 'title', 'description']) if (!catalogs.en.has(`page.${page}.${part}`)) missing.push(`page.${page}.${part}`);
  }
  for (const action of ['suspend', 'revoke', 'reinstate']) {
    for (const part of ['title', 'body']) if (!catalogs.en.has(`licences.confirm.${action}.${part}`)) missing.push(`licences.confirm.${action}.${part}`);
  }
  assert.deepEqual(missing, []);
});
