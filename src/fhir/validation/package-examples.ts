// The example resources of the examples package that the validator must handle: everything except the
// conformance/terminology resources (definitions, not instance data) and the package manifests.

import { exampleResourceFiles, readPackageFile } from '../definitions/examples-package.ts';
import { describeIssue, errorsOf, type ResourceValidator } from './validator.ts';

/** File names (in the examples package) of the example resources to validate. */
export const listExampleFiles = exampleResourceFiles;

export interface RefusedExample {
  file: string;
  reason: string;
}

/** Validates one example file; returns the refusal (first error) or undefined when it is accepted. */
export function checkExample(validator: ResourceValidator, file: string): RefusedExample | undefined {
  const resource = readPackageFile(file);
  const errors = errorsOf(validator.validate(resource));
  return errors.length > 0 ? { file, reason: describeIssue(errors[0]) } : undefined;
}
