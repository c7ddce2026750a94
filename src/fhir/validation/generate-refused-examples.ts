// Regenerates refused-examples.json: every example resource of the examples package that the validator
// refuses, with the first error. Run after changing the validator, then review the diff:
//   node src/fhir/validation/generate-refused-examples.ts
// validator.test.ts fails while the file is out of date.

import { writeFileSync } from 'node:fs';
import { checkExample, listExampleFiles, type RefusedExample } from './package-examples.ts';
import { createResourceValidator } from './validator.ts';

export const REFUSED_EXAMPLES_FILE = new URL('./refused-examples.json', import.meta.url);

export function computeRefusedExamples(): RefusedExample[] {
  const validator = createResourceValidator();
  const refused: RefusedExample[] = [];
  for (const file of listExampleFiles()) {
    const result = checkExample(validator, file);
    if (result) {
      refused.push(result);
    }
  }
  return refused;
}

if (import.meta.main) {
  const refused = computeRefusedExamples();
  writeFileSync(REFUSED_EXAMPLES_FILE, `${JSON.stringify(refused, null, 2)}\n`);
  console.log(`${refused.length} of ${listExampleFiles().length} examples refused; written to ${REFUSED_EXAMPLES_FILE.pathname}`);
}
