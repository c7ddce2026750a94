import { readPackageFile } from '../definitions/examples-package.ts';
import { fhirErrors } from '../outcome/errors.ts';
import { FhirError } from '../outcome/fhir-error.ts';
import type { FhirResource } from '../repository/resource-types.ts';
import type { CodeValidator, ResourceValidator } from '../repository/fhir-repository.ts';
import { outcomeResponse } from '../rest/resource-response.ts';
import type { OperationDefinition } from './operation-definition.ts';
import { firstString } from './operation-parameters.ts';
import type { Operation } from './operation-registry.ts';

/** [type]/$validate and [type]/[id]/$validate: the same checks as a write, reported instead of enforced. */
export function validateOperation(validate: ResourceValidator, validateCodes?: CodeValidator): Operation {
  return {
    definition: readPackageFile<OperationDefinition>('OperationDefinition-Resource-validate.json'),
    async execute(ctx, call) {
      const mode = firstString(call.input, 'mode') ?? 'create';
      if (!['create', 'update', 'delete'].includes(mode)) throw fhirErrors.invalidParameter('mode', `'${mode}' is not create, update or delete`);
      if (mode === 'delete') {
        if (!call.id || !call.resourceType) throw fhirErrors.invalidParameter('mode', 'delete needs an instance: [type]/[id]/$validate');
        ctx.access?.checkType(call.resourceType, 'r');
        await ctx.access?.assertVisible(await ctx.repo.read(call.resourceType, call.id));
        return outcomeResponse(200, { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', diagnostics: 'No issues' }] });
      }
      const resource = call.input.get('resource')?.[0] as FhirResource | undefined;
      if (!resource) throw fhirErrors.invalidParameter('resource', 'is required for mode create or update');
      if (call.resourceType && resource.resourceType !== call.resourceType) throw fhirErrors.typeMismatch(call.resourceType, String(resource.resourceType));
      if (mode === 'update' && call.id && resource.id !== call.id) throw fhirErrors.idMismatch(call.id, resource.id);
      let issues;
      try {
        // The repository may run without a validator (validation off); $validate always validates, as a write would,
        // and reports warnings too.
        ctx.repo.assertResource(resource);
        issues = validate(resource, { requiredBindings: !validateCodes });
        if (validateCodes) issues = [...issues, ...(await validateCodes(ctx.repo, resource))];
      } catch (error) {
        if (!(error instanceof FhirError)) throw error;
        return outcomeResponse(error.status === 400 ? 200 : error.status, error.toOperationOutcome());
      }
      return outcomeResponse(200, {
        resourceType: 'OperationOutcome',
        issue: issues.length > 0 ? issues : [{ severity: 'information', code: 'informational', diagnostics: 'No issues' }],
      });
    },
  };
}
