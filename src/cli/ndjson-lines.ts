import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { UnparsableRow } from '../registry/client/bulk-load.ts';

/** Lines of an NDJSON file as values (blank lines skipped but counted, so row numbers are line numbers). */
export async function* ndjsonValues(file: string): AsyncGenerator<unknown> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') {
      yield new UnparsableRow('empty line');
      continue;
    }
    try {
      yield JSON.parse(line);
    } catch (error) {
      yield new UnparsableRow((error as Error).message);
    }
  }
}
