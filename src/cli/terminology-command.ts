import cliProgress from 'cli-progress';
import { existsSync } from 'node:fs';
import type { HuzaConfig } from '../config/load-config.ts';
import { releaseFormats } from '../terminology/loaders/formats.ts';
import { loadRelease, ReleaseHeaderError, type LoadReport } from '../terminology/loaders/release-loader.ts';
import { openPlatform } from './open-platform.ts';

export interface TerminologyLoadOptions {
  format: string;
  version?: string;
  /** Bad rows printed at most (all are counted). */
  showProblems?: number;
}

/**
 * `huza terminology load --format loinc|icd10cm|icd11|icd10 FILE [--version V]`: loads a release file the
 * operator obtained from its publisher, with a progress bar; bad rows are listed by line and do not stop
 * the load; a file of the wrong format, or malformed XML, is refused before anything is stored. Returns the exit code:
 * 0 loaded cleanly, 1 loaded with bad rows listed. The caller has already refused an embedded database
 * a server holds.
 */
export async function terminologyLoad(config: HuzaConfig, file: string, options: TerminologyLoadOptions, showProgress: boolean): Promise<number> {
  const format = releaseFormats[options.format];
  if (!format) throw new Error(`--format must be one of ${Object.keys(releaseFormats).join(', ')}`);
  if (!existsSync(file)) throw new Error(`No file ${file}`);
  const platform = await openPlatform(config);
  const bar = showProgress
    ? new cliProgress.SingleBar({ format: `${format.name.padEnd(8)} |{bar}| {percentage}% | {concepts} concepts | {eta}s left`, hideCursor: true }, cliProgress.Presets.shades_classic)
    : undefined;
  let report: LoadReport;
  try {
    let started = false;
    report = await loadRelease({ db: platform.db, repo: platform.engine.repo }, format, file, {
      version: options.version,
      onProgress: ({ bytes, totalBytes, concepts }) => {
        if (!bar) return;
        if (!started) bar.start(totalBytes, 0, { concepts: 0 });
        started = true;
        bar.update(bytes, { concepts });
      },
    });
    bar?.stop();
  } catch (error) {
    bar?.stop();
    if (error instanceof ReleaseHeaderError) throw new Error(`${file} refused, nothing stored: ${error.message}`);
    throw error;
  } finally {
    await platform.db.close();
  }
  const rate = report.concepts / Math.max(report.seconds, 0.001);
  console.log(`Loaded ${report.concepts} concepts of ${report.url} version ${report.version} (CodeSystem/${report.id}) in ${report.seconds.toFixed(1)} s (${Math.round(rate)} rows/s).`);
  if (report.problems.length > 0) {
    const shown = options.showProblems ?? 50;
    console.log(`${report.problems.length} rows were not loaded:`);
    for (const p of report.problems.slice(0, shown)) console.log(`  line ${p.line}: ${p.problem}`);
    if (report.problems.length > shown) console.log(`  … and ${report.problems.length - shown} more`);
    return 1;
  }
  return 0;
}
