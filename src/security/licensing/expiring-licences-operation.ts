import { randomUUID } from 'node:crypto';
import type { Operation } from '../../fhir/operations/operation-registry.ts';
import type { OperationDefinition } from '../../fhir/operations/operation-definition.ts';
import { firstString } from '../../fhir/operations/operation-parameters.ts';
import { fhirErrors } from '../../fhir/outcome/errors.ts';
import { effectiveStatus, endOf, facilityLicence, practitionerLicence } from './licence.ts';
import { findLicences } from './licence-store.ts';

const definition: OperationDefinition = {
  resourceType: 'OperationDefinition',
  url: 'https://moh.gov.rw/fhir/OperationDefinition/Basic-expiring-licences',
  name: 'ExpiringLicences',
  status: 'active',
  kind: 'operation',
  code: 'expiring-licences',
  system: false, type: true, instance: false,
  resource: ['Basic'],
  parameter: [
    { name: 'days', use: 'in', min: 0, max: '1', type: 'integer' },
    { name: 'type', use: 'in', min: 0, max: '1', type: 'code' },
    { name: 'return', use: 'out', min: 1, max: '1', type: 'Bundle' },
  ],
};

/** Basic/$expiring-licences?days=30: active licences whose period ends within the coming days, soonest first. */
export const expiringLicences: Operation = {
  definition,
  async execute(ctx, call) {
    ctx.access?.checkType('Basic', 's');
    const days = Number(firstString(call.input, 'days') ?? 30);
    if (days < 0 || days > 3660) throw fhirErrors.invalidParameter('days', 'must be between 0 and 3660');
    const type = firstString(call.input, 'type');
    if (type && type !== practitionerLicence && type !== facilityLicence) throw fhirErrors.invalidParameter('type', `must be ${practitionerLicence} or ${facilityLicence}`);
    const now = new Date();
    const horizon = new Date(now.getTime() + days * 86_400_000);
    const licences = (await findLicences(ctx.repo.sql, ctx.repo.options.content, { type }))
      .filter((l) => effectiveStatus(l, now) === 'active' && l.end && endOf(l.end) <= horizon)
      .sort((a, b) => endOf(a.end as string).getTime() - endOf(b.end as string).getTime());
    const versions = await ctx.repo.readMany(licences.map((l) => ({ type: 'Basic', id: l.id })));
    const byId = new Map(versions.map((v) => [v.id, v]));
    const entries = licences.flatMap((l) => {
      const v = byId.get(l.id);
      return v ? [`{"fullUrl":${JSON.stringify(`${ctx.baseUrl}/Basic/${v.id}`)},"resource":${v.json},"search":{"mode":"match"}}`] : [];
    });
    const head = JSON.stringify({ resourceType: 'Bundle', id: randomUUID(), type: 'searchset', total: entries.length, link: [{ relation: 'self', url: `${ctx.baseUrl}/Basic/$expiring-licences?days=${days}${type ? `&type=${type}` : ''}` }] });
    return { status: 200, headers: {}, body: `${head.slice(0, -1)},"entry":[${entries.join(',')}]}` };
  },
};
