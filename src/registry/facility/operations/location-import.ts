import type { OperationDefinition, OperationParameterDefinition } from '../../../fhir/operations/operation-definition.ts';
import type { Operation } from '../../../fhir/operations/operation-registry.ts';
import { firstString } from '../../../fhir/operations/operation-parameters.ts';
import { fhirErrors } from '../../../fhir/outcome/errors.ts';
import { FhirError, type OperationOutcomeIssue } from '../../../fhir/outcome/fhir-error.ts';
import type { FhirContext } from '../../../fhir/rest/fhir-request.ts';
import type { Actor } from '../../../security/access/actor.ts';
import { importFacilities, type ImportReport } from '../facility-import.ts';
import type { ImportIssue } from '../import-rows.ts';

const param = (name: string, type: string, min = 0, use: 'in' | 'out' = 'in'): OperationParameterDefinition => ({ name, use, min, max: '1', type });

const definition: OperationDefinition = {
  resourceType: 'OperationDefinition', url: 'https://huza.rw/fhir/OperationDefinition/Location-import', name: 'LocationImport',
  title: 'Import facilities from a CSV file or a DHIS2 organisation-unit export, all or nothing', status: 'active', kind: 'operation',
  code: 'import', system: false, type: true, instance: false, resource: ['Location'], affectsState: true,
  parameter: [
    param('csv', 'string'), param('dhis2', 'string'), param('dryRun', 'boolean'), param('update', 'boolean'),
    param('return', 'Parameters', 1, 'out'),
  ],
};

/** Registry stewards and exchange administrators maintain the facility list; systems need Location write scope. */
function stewardOf(ctx: FhirContext): void {
  ctx.access?.checkType('Location', 'c');
  ctx.access?.checkType('Location', 'u');
  ctx.access?.checkType('Organization', 'u');
  const actor = (ctx.access as { actor?: Actor } | undefined)?.actor;
  if (actor?.kind === 'person' && !actor.roles.some((r) => r === 'registry-steward' || r === 'exchange-admin')) {
    throw new FhirError(403, [{ severity: 'error', code: 'forbidden', diagnostics: 'Only registry stewards and exchange administrators import facilities' }]);
  }
}

const where = (i: ImportIssue) => (i.row > 0 ? `row ${i.row}: ` : '');

export function reportIssues(report: ImportReport): OperationOutcomeIssue[] {
  return [...report.errors, ...report.warnings].sort((a, b) => a.row - b.row).map((i) => ({
    severity: i.severity, code: i.severity === 'error' ? 'invalid' : 'informational', diagnostics: `${where(i)}${i.message}`,
    ...(i.row > 0 ? { expression: [`row ${i.row}`] } : {}),
  }));
}

/**
 * `POST Location/$import` with `csv` or `dhis2` (the file's text) and `dryRun`: the report as
 * Parameters (what would be or was created and updated, warnings); a file with errors is refused
 * whole with 400 and an OperationOutcome listing every error by row.
 */
export const locationImport: Operation = {
  definition,
  async execute(ctx, call) {
    stewardOf(ctx);
    if (call.request.method !== 'POST') throw fhirErrors.methodNotAllowed(call.request.method, 'Location/$import');
    const csv = firstString(call.input, 'csv');
    const dhis2 = firstString(call.input, 'dhis2');
    if ((csv === undefined) === (dhis2 === undefined)) throw fhirErrors.invalidParameter('csv', 'give exactly one of csv or dhis2');
    const dryRun = firstString(call.input, 'dryRun') === 'true';
    const report = await importFacilities(ctx.repo, (csv ?? dhis2) as string, {
      format: csv !== undefined ? 'csv' : 'dhis2', dryRun, update: firstString(call.input, 'update') === 'true',
    });
    const outcome = { resourceType: 'OperationOutcome', issue: reportIssues(report) };
    if (report.errors.length > 0 && !dryRun) {
      return { status: 400, headers: {}, body: JSON.stringify(outcome) };
    }
    const count = (action: string) => report.facilities.filter((f) => f.action === action).length;
    const parameter = [
      { name: 'dryRun', valueBoolean: dryRun },
      { name: 'imported', valueBoolean: report.imported },
      { name: 'created', valueInteger: count('create') },
      { name: 'updated', valueInteger: count('update') },
      { name: 'errors', valueInteger: report.errors.length },
      ...report.facilities.map((f) => ({
        name: 'facility',
        part: [
          { name: 'row', valueInteger: f.row }, { name: 'code', valueString: f.code }, { name: 'name', valueString: f.name },
          { name: 'action', valueCode: f.action }, { name: 'location', valueReference: { reference: f.location } },
        ],
      })),
      ...(outcome.issue.length > 0 ? [{ name: 'outcome', resource: outcome }] : []),
    ];
    return { status: 200, headers: {}, body: JSON.stringify({ resourceType: 'Parameters', parameter }) };
  },
};
