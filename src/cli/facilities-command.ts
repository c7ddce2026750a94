import cliProgress from 'cli-progress';
import { readFileSync } from 'node:fs';
import type { HuzaConfig } from '../config/load-config.ts';
import { importFacilities, type ImportFormat, type ImportReport } from '../registry/facility/facility-import.ts';
import { openPlatform } from './open-platform.ts';

export interface FacilitiesImportOptions {
  format?: ImportFormat;
  dryRun: boolean;
  update: boolean;
}

/** CSV unless the file is JSON (a DHIS2 organisation-unit export). */
export function formatOf(file: string, text: string): ImportFormat {
  return file.toLowerCase().endsWith('.json') || text.trimStart().startsWith('{') ? 'dhis2' : 'csv';
}

export function printReport(report: ImportReport, out: (line: string) => void): void {
  const created = report.facilities.filter((f) => f.action === 'create');
  const updated = report.facilities.filter((f) => f.action === 'update');
  for (const i of [...report.errors, ...report.warnings].sort((a, b) => a.row - b.row)) {
    out(`${i.severity === 'error' ? 'error  ' : 'warning'} ${i.row > 0 ? `row ${i.row}: ` : ''}${i.message}`);
  }
  if (report.errors.length > 0) {
    out(`${report.errors.length} error(s) in ${report.rows} facilities read: nothing was imported.`);
    return;
  }
  if (report.dryRun) {
    for (const f of report.facilities) out(`would ${f.action} row ${f.row}: ${f.code} ${f.name} (${f.location})`);
    out(`Dry run: would create ${created.length} and update ${updated.length} facilities; nothing was stored.`);
    return;
  }
  out(`Imported ${report.facilities.length} facilities: ${created.length} created, ${updated.length} updated${report.warnings.length > 0 ? `, ${report.warnings.length} warning(s)` : ''}.`);
}

/**
 * `huza facilities import FILE`: the whole file is checked first, then written in one transaction
 * (or, with --dry-run, only reported). Returns the exit code: 0, or 1 when the file has errors.
 */
export async function facilitiesImport(config: HuzaConfig, file: string, options: FacilitiesImportOptions, showProgress: boolean): Promise<number> {
  const text = readFileSync(file, 'utf8');
  const format = options.format ?? formatOf(file, text);
  const platform = await openPlatform(config);
  const bar = showProgress && !options.dryRun
    ? new cliProgress.SingleBar({ format: 'Facilities |{bar}| {value}/{total}', hideCursor: true }, cliProgress.Presets.shades_classic)
    : undefined;
  try {
    let started = false;
    const report = await importFacilities(platform.engine.repo, text, {
      format, dryRun: options.dryRun, update: options.update,
      onProgress: (done, total) => {
        if (!bar) return;
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(done);
      },
    });
    bar?.stop();
    printReport(report, (line) => console.log(line));
    return report.errors.length > 0 ? 1 : 0;
  } finally {
    bar?.stop();
    await platform.db.close();
  }
}
