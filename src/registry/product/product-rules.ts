import { FhirError } from '../../fhir/outcome/fhir-error.ts';
import type { WriteHook } from '../../fhir/repository/fhir-repository.ts';
import type { FhirResource } from '../../fhir/repository/resource-types.ts';
import { gtinProblem, gtinSystem } from './gtin.ts';

interface Coding { system?: string; code?: string }

const issue = (code: string, diagnostics: string, expression: string) => ({ severity: 'error' as const, code, diagnostics, expression: [expression] });

/**
 * Medication and MedicationKnowledge writes: a GTIN must carry a valid GS1 check digit (a mistyped
 * barcode would otherwise match nothing at dispensing), and one GTIN names one product.
 */
export const productRules: WriteHook = {
  types: ['Medication', 'MedicationKnowledge'],
  async beforeWrite(repo, resource: FhirResource) {
    const type = resource.resourceType;
    const codings = (((resource.code as { coding?: Coding[] } | undefined)?.coding) ?? []).map((c, i) => ({ c, at: `${type}.code.coding[${i}]` }));
    const gtins = codings.filter(({ c }) => c.system === gtinSystem);
    for (const { c, at } of gtins) {
      const problem = gtinProblem(c.code ?? '');
      if (problem) throw new FhirError(400, [issue('code-invalid', `GTIN '${c.code ?? ''}' is not valid: ${problem}`, at)]);
    }
    for (const { c, at } of gtins) {
      await repo.lockCondition(type, `code=${gtinSystem}|${c.code}`);
      const other = await repo.sql.query<{ resource_id: string }>(
        `SELECT t.resource_id FROM sp_token t JOIN resource r ON r.resource_type = t.resource_type AND r.id = t.resource_id
         WHERE t.resource_type = $1 AND t.param = 'code' AND t.system = $2 AND t.code = $3 AND NOT r.deleted AND t.resource_id <> $4 LIMIT 1`,
        [type, gtinSystem, c.code ?? '', resource.id ?? '']);
      if (other.rows[0]) throw new FhirError(409, [issue('duplicate', `GTIN ${c.code} already identifies ${type}/${other.rows[0].resource_id}; one GTIN names one product`, at)]);
    }
  },
};
