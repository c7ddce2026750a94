import { readFileSync } from 'node:fs';
import type { HuzaConfig } from '../config/load-config.ts';
import { importPopulations, type PopulationImportReport } from '../registry/workforce/population-import.ts';
import { openPlatform } from './open-platform.ts';

export function printPopulationReport(report: PopulationImportReport, out: (line: string) => void): void {
  for (const e of report.errors) out(`error   ${e.row > 0 ? `row ${e.row}: ` : ''}${e.message}`);
  if (report.errors.length > 0) {
    out(`${report.errors.length} error(s) in ${report.rows} rows read: nothing was imported.`);
    return;
  }
  const line = (u: PopulationImportReport['updates'][number]) =>
    `row ${u.row}: ${u.district} ${u.figure.year}: ${u.figure.count.toLocaleString('en-US')} people${u.figure.source ? ` (${u.figure.source})` : ''} on ${u.location}`;
  if (report.dryRun) {
    for (const u of report.updates) out(`would set ${line(u)}`);
    out(`Dry run: would set ${report.updates.length} population figure(s); nothing was stored.`);
    return;
  }
  for (const u of report.updates) out(`set ${line(u)}`);
  out(`Imported ${report.updates.length} population figure(s); Location/$workforce-density uses them from now on.`);
}

/**
 * `huza populations import FILE [--dry-run]`: district populations from CSV (district,population,year[,source]),
 * all or nothing. Returns the exit code: 0, or 1 when the file has errors.
 */
export async function populationsImport(config: HuzaConfig, file: string, options: { dryRun: boolean }): Promise<number> {
  const text = readFileSync(file, 'utf8');
  const platform = await openPlatform(config);
  try {
    const report = await importPopulations(platform.engine.repo, text, { dryRun: options.dryRun });
    printPopulationReport(report, (line) => console.log(line));
    return report.errors.length > 0 ? 1 : 0;
  } finally {
    await platform.db.close();
  }
}
