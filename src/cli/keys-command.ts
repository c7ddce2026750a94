import cliProgress from 'cli-progress';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { HuzaConfig } from '../config/load-config.ts';
import { defaultKeyRefreshMs } from '../security/encryption/content-cipher.ts';
import { loadMasterKey, type MasterKey } from '../security/encryption/master-key.ts';
import { rewrapKeyRing, rotateDataKey, type ContentTable, type RotationReport } from '../security/encryption/rotate-keys.ts';
import { masterKeySource, openPlatform } from './open-platform.ts';

export interface KeysRotateOptions {
  /** A file holding the new master key (base64 of 32 bytes); HUZA_NEW_MASTER_KEY gives it directly. */
  master?: string;
  /** false: no new data key, only move what is not under the current one (e.g. plaintext after an upgrade). */
  newKey: boolean;
  batch: number;
  /** Seconds to keep sweeping for rows servers still write under the old key; default: their refresh interval plus 5 s on PostgreSQL, 0 embedded. */
  settle?: number;
}

const tableLabel: Record<ContentTable, string> = { resource: 'current versions', resource_history: 'history' };

/**
 * `huza keys rotate`: a new data key and re-encryption of stored content under it, while servers keep
 * serving (PostgreSQL); or, with --master / HUZA_NEW_MASTER_KEY, every key re-wrapped under a new
 * master key. The caller has already refused an embedded database a server holds.
 */
export async function keysRotate(config: HuzaConfig, options: KeysRotateOptions, env: NodeJS.ProcessEnv, showProgress: boolean): Promise<void> {
  if (options.batch < 1) throw new Error('--batch must be at least 1');
  const newMaster = readNewMaster(options.master, env);
  const platform = await openPlatform(config);
  try {
    if (newMaster) {
      const source = masterKeySource(config);
      const fromFile = !source.base64;
      // The new key is on disk before the database stops accepting the old one.
      if (fromFile) writeFileSync(`${source.file}.new`, `${newMaster.key.toString('base64')}\n`, { mode: 0o600 });
      const result = await rewrapKeyRing(platform.db, platform.keyRing, newMaster);
      if (fromFile) renameSync(`${source.file}.new`, source.file);
      console.log(`Re-wrapped ${result.keys} keys: master key ${result.from} → ${result.to}.`);
      console.log(fromFile
        ? `The new master key replaced ${source.file}.`
        : 'Set HUZA_MASTER_KEY to the new key for every server and command now: the old one no longer opens this database.');
      console.log('Running servers keep the keys they hold; restart each with the new master key, then run `huza keys rotate` to rotate the data key.');
      return;
    }
    const settleMs = options.settle !== undefined ? options.settle * 1000 : config.databaseUrl ? defaultKeyRefreshMs + 5_000 : 0;
    if (settleMs > 0) {
      console.log(`Servers on this database load a new data key within ${defaultKeyRefreshMs / 1000} s; rows they write under the old one meanwhile `
        + `are swept up for ${settleMs / 1000} s (--settle 0 when no server is running).`);
    }
    const bars = new Map<ContentTable, cliProgress.SingleBar>();
    const multi = showProgress ? new cliProgress.MultiBar({ format: '{label} |{bar}| {value}/{total} rows', hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
    const report = await rotateDataKey(platform.db, platform.cipher, {
      newKey: options.newKey,
      batchSize: options.batch,
      // Other servers on the same PostgreSQL load the new key within the refresh interval; rows they
      // write under the old one until then are swept up. The embedded database has no other writer.
      settleMs,
      onProgress: ({ table, done, total }) => {
        if (!multi) return;
        let bar = bars.get(table);
        if (!bar || done === 0) {
          bar?.stop();
          bar = multi.create(total, done, { label: tableLabel[table].padEnd(16) });
          bars.set(table, bar);
        }
        bar.update(done);
      },
    });
    multi?.stop();
    printReport(report);
    if (report.remaining > 0) process.exitCode = 2;
  } finally {
    await platform.db.close();
  }
}

function printReport(report: RotationReport): void {
  console.log(`Data key version ${report.version} is current. Re-encrypted ${report.reencrypted.resource} current and `
    + `${report.reencrypted.resource_history} history rows in ${report.seconds.toFixed(1)} s.`);
  if (report.retired.length > 0) console.log(`No content refers to data key versions ${report.retired.join(', ')} any longer; they are marked retired.`);
  if (report.unreadable.length > 0) {
    console.log(`${report.unreadable.length} rows failed their integrity check and were left as they are (restore them from a backup):`);
    for (const row of report.unreadable) console.log(`  ${row}`);
  }
  if (report.remaining > report.unreadable.length) {
    console.log(`${report.remaining - report.unreadable.length} rows are still under an older key (written by servers that had not loaded the new one); run \`huza keys rotate --no-new-key\` again.`);
  }
}

function readNewMaster(file: string | undefined, env: NodeJS.ProcessEnv): MasterKey | undefined {
  if (file) {
    if (!existsSync(file)) throw new Error(`No new master key file ${file}`);
    return loadMasterKey({ base64: readFileSync(file, 'utf8').trim(), file, allowCreate: false });
  }
  if (env.HUZA_NEW_MASTER_KEY) return loadMasterKey({ base64: env.HUZA_NEW_MASTER_KEY, file: '', allowCreate: false });
  return undefined;
}
