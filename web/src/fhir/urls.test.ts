import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FhirError, resolveFhirUrl } from './urls.ts';

const base = 'https://huza.moh.gov.rw/fhir';

test('paths resolve against the FHIR base', () => {
  assert.equal(resolveFhirUrl('Patient/1', base), 'https://huza.moh.gov.rw/fhir/Patient/1');
  assert.equal(resolveFhirUrl('/AuditEvent?_count=5', base), 'https://huza.moh.gov.rw/fhir/AuditEvent?_count=5');
});

test('paging links are followed only inside the FHIR base: the token never leaves it', () => {
  assert.equal(resolveFhirUrl(`${base}/AuditEvent?_offset=50`, base), `${base}/AuditEvent?_offset=50`);
  for (const url of ['https://evil.example/fhir/AuditEvent', 'https://huza.moh.gov.rw/fhirx/AuditEvent', 'https://huza.moh.gov.rw/admin', '//evil.example/fhir', 'javascript:alert(1)']) {
    assert.throws(() => resolveFhirUrl(url, base), FhirError, url);
  }
});
