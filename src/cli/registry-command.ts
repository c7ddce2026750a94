import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import type { HuzaConfig } from '../config/load-config.ts';
import type { BulkLoadReport } from '../registry/client/bulk-load.ts';
import { ndjsonValues } from './ndjson-lines.ts';
import { openPlatform } from './open-platform.ts';

export interface RegistryLoadOptions {
  batch: number;
  inFlight: number;
  /** Worker threads preparing records; default: the loader's (one less than the cores, at least 1). */
  workers?: number;
  /** The system the records come from (identity-domain assigner rules, decided_by). */
  source: string;
  /** Where refused rows go (NDJSON: row, id, status, message, expression); default FILE.errors.ndjson. */
  errors?: string;
}

async function countLines(file: string): Promise<number> {
  let n = 0;
  let last = 10;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
    last = chunk[chunk.length - 1];
  }
  return last === 10 ? n : n + 1;
}

/**
 * `huza registry load FILE`: source Patients (NDJSON, one per line) into the client registry with
 * matching, in batches (ClientRegistry.loadBulk), with a progress bar. Refused rows are written to
 * the error file with their line numbers; the exit code is 0 even then (the report says how many).
 */
export async function registryLoad(config: HuzaConfig, file: string, options: RegistryLoadOptions, showProgress: boolean): Promise<BulkLoadReport> {
  if (options.batch < 1 || options.inFlight < 1) throw new Error('--batch and --in-flight must be at least 1');
  if (options.workers !== undefined && options.workers < 0) throw new Error('--workers must be 0 or more');
  const total = await countLines(file);
  const platform = await openPlatform(config);
  try {
    const bar = showProgress
      ? new cliProgress.SingleBar({ format: 'Registry load |{bar}| {percentage}% | {value}/{total} records | {speed} records/s | {refused} refused | ETA {eta_formatted}', hideCursor: true, etaBuffer: 20_000 }, cliProgress.Presets.shades_classic)
      : undefined;
    const started = performance.now();
    bar?.start(total, 0, { speed: 0, refused: 0 });
    const report = await platform.clientRegistry.loadBulk(platform.engine.repo, ndjsonValues(file), {
      batchSize: options.batch, inFlight: options.inFlight, source: options.source, ...(options.workers === undefined ? {} : { workers: options.workers }),
      onProgress: (p) => bar?.update(p.rows, { speed: Math.round(p.rows / ((performance.now() - started) / 1000)), refused: p.refused }),
    });
    bar?.update(report.rows, { refused: report.refused.length });
    bar?.stop();
    const errors = options.errors ?? `${file}.errors.ndjson`;
    if (report.refused.length > 0) await writeFile(errors, report.refused.map((r) => JSON.stringify(r)).join('\n') + '\n');
    console.log(`${report.rows} rows in ${report.seconds.toFixed(1)} s (${Math.round(report.rows / report.seconds)} records/s): `
      + `${report.created} loaded (${report.links.identifier} linked by identifier, ${report.links.probabilistic} by matching, ${report.links.new} new people), `
      + `${report.unchanged} unchanged, ${report.updated} updated, ${report.reviews} potential matches to review, `
      + `${report.refused.length} refused${report.refused.length > 0 ? ` (see ${errors})` : ''}`);
    return report;
  } finally {
    await platform.db.close();
  }
}
