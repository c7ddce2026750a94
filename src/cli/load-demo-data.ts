import cliProgress from 'cli-progress';
import { publicOrigin } from '../config/load-config.ts';
import type { FhirContext } from '../fhir/rest/fhir-request.ts';
import { handleFhirRequest } from '../fhir/rest/handle-fhir-request.ts';
import { generateDemoData, type DemoDataOptions } from '../seed/generate-demo-data.ts';
import type { Platform } from './open-platform.ts';

export interface LoadReport {
  bundles: number;
  resources: number;
  seconds: number;
}

/**
 * Generates the demo dataset and posts it as transaction Bundles through the same FHIR interaction
 * path HTTP clients use (validation, indexing, all-or-nothing per bundle), with a progress bar.
 */
export async function loadDemoData(platform: Platform, options: DemoDataOptions, showProgress: boolean): Promise<LoadReport> {
  const started = performance.now();
  const bundles = generateDemoData(options);
  const total = bundles.reduce((n, b) => n + (b.entry?.length ?? 0), 0);
  const bar = showProgress
    ? new cliProgress.SingleBar({ format: 'Demo data |{bar}| {percentage}% | {value}/{total} resources | {eta}s left', hideCursor: true }, cliProgress.Presets.shades_classic)
    : undefined;
  bar?.start(total, 0);
  const ctx: FhirContext = {
    repo: platform.engine.repo, operations: platform.engine.operations, search: platform.engine.search,
    baseUrl: `${publicOrigin(platform.config)}/fhir`,
  };
  let done = 0;
  for (const [i, bundle] of bundles.entries()) {
    const response = await handleFhirRequest(ctx, { method: 'POST', path: '', query: [], headers: { prefer: 'return=minimal' }, body: bundle });
    if (response.status !== 200) {
      bar?.stop();
      throw new Error(`Demo bundle ${i + 1} of ${bundles.length} was refused (${response.status}): ${response.body}`);
    }
    done += bundle.entry?.length ?? 0;
    bar?.update(done);
  }
  bar?.stop();
  return { bundles: bundles.length, resources: total, seconds: (performance.now() - started) / 1000 };
}

export async function isEmpty(platform: Platform): Promise<boolean> {
  // The code systems Huza ships (loaded by migrate and start) do not make a database "not empty".
  const result = await platform.db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM (SELECT 1 FROM resource WHERE resource_type NOT IN ('CodeSystem', 'ValueSet', 'ConceptMap') LIMIT 1) x");
  return result.rows[0].n === 0;
}
