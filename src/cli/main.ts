import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, publicOrigin, type HuzaConfig } from '../config/load-config.ts';
import { migrate } from '../db/migrate.ts';
import { AccountStore } from '../security/accounts/account-store.ts';
import { isRole, type Role } from '../security/accounts/roles.ts';
import { verifyAuditChain } from '../security/audit/verify-audit-chain.ts';
import { ClientRegistry } from '../security/oauth/client-registry.ts';
import { createSecurityServices } from '../security/security-services.ts';
import { buildServer } from '../server/build-server.ts';
import { developmentTls, readTls } from '../server/tls.ts';
import { createDemoAccounts } from './demo-accounts.ts';
import { keysRotate } from './keys-command.ts';
import { registryLoad } from './registry-command.ts';
import { facilitiesImport } from './facilities-command.ts';
import { populationsImport } from './populations-command.ts';
import { terminologyLoad } from './terminology-command.ts';
import { isEmpty, loadDemoData } from './load-demo-data.ts';
import { openPlatform } from './open-platform.ts';
import { loadShippedCodeSystems } from '../terminology/shipped-code-systems.ts';
import { readServerLock, removeServerLock, writeServerLock } from './server-lock.ts';
import { postJson } from './post-json.ts';

const program = new Command();

const integer = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
};

function configFrom(options: { port?: number; host?: string; dataDir?: string }): HuzaConfig {
  return loadConfig(process.env, {
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
  });
}

/** The embedded database is one process's: refuse to open it under a running server. */
function assertNoServer(config: HuzaConfig): void {
  if (config.databaseUrl) return;
  const lock = readServerLock(config.dataDir);
  if (lock) throw new Error(`A Huza server (pid ${lock.pid}) has ${config.dataDir} open; stop it first or use its API`);
}

program
  .name('huza')
  .description('Huza: national health information exchange (FHIR R4).\n'
    + 'Database: the embedded one in HUZA_DATA_DIR (default ./data), or PostgreSQL when DATABASE_URL is set.')
  .version(process.env.npm_package_version ?? '0.1.0');

program.command('start')
  .description('start the server (migrations run first)')
  .option('-p, --port <port>', 'HTTP port (PORT)', integer)
  .option('--host <host>', 'address to listen on (HOST)')
  .option('--data-dir <dir>', 'embedded database folder (HUZA_DATA_DIR)')
  .option('--dev-tls', 'serve HTTPS with a self-signed certificate for localhost (HUZA_DEV_TLS)')
  .option('--demo', 'load the generated Rwanda demo data and demo accounts when the database is empty')
  .option('--demo-patients <n>', 'demo patients to generate', integer, 200)
  .action(async (options) => {
    const config = { ...configFrom(options), ...(options.devTls ? { devTls: true } : {}) };
    assertNoServer(config);
    const https = config.tlsCert && config.tlsKey ? readTls(config.tlsCert, config.tlsKey) : config.devTls ? await developmentTls(config.dataDir) : undefined;
    const platform = await openPlatform(config);
    const origin = publicOrigin(config);
    const security = await createSecurityServices({
      db: platform.db, engine: platform.engine, origin,
      keyRing: platform.keyRing,
    });
    if (options.demo && (await isEmpty(platform))) {
      const report = await loadDemoData(platform, { patients: options.demoPatients }, process.stderr.isTTY === true);
      console.log(`Demo data: ${report.resources} resources in ${report.bundles} transactions (${report.seconds.toFixed(1)} s)`);
      const accounts = await createDemoAccounts(platform, security.accounts);
      // Development only: production never creates demo accounts, so never prints passwords.
      console.log('Demo accounts (development only):');
      for (const a of accounts) console.log(`  ${a.role.padEnd(16)} ${a.username.padEnd(22)} ${a.password}`);
    }
    // Rwanda's own code systems become readable and searchable resources (once; a steward's edits stay).
    await loadShippedCodeSystems(platform.engine.repo);
    const lock = config.databaseUrl ? undefined : writeServerLock(config.dataDir, origin, config.devTls ? https?.cert.toString() : undefined);
    const app = await buildServer({
      db: platform.db, engine: platform.engine, security, bodyLimit: config.bodyLimit, logLevel: config.logLevel,
      localAdminToken: lock?.adminToken, https,
    });
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      app.log.info({ signal }, 'shutting down: finishing requests in flight');
      // close() stops accepting connections and waits for in-flight requests (and flushes the audit
      // log), so every write a client saw acknowledged is committed before the database closes.
      await app.close();
      await platform.db.close();
      if (!config.databaseUrl) removeServerLock(config.dataDir);
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
    await app.listen({ port: config.port, host: config.host });
    const where = config.databaseUrl ? 'PostgreSQL' : `embedded database in ${config.dataDir}`;
    console.log(`Huza is listening: ${origin}/fhir (${where}); web app ${origin}/app/`);
  });

program.command('migrate')
  .description('apply database migrations and exit')
  .option('--data-dir <dir>', 'embedded database folder (HUZA_DATA_DIR)')
  .action(async (options) => {
    const config = configFrom(options);
    assertNoServer(config);
    const platform = await openPlatform(config);
    const applied = await migrate(platform.db);
    const codeSystems = await loadShippedCodeSystems(platform.engine.repo);
    console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'Database is up to date');
    if (codeSystems.loaded.length > 0) console.log(`Loaded ${codeSystems.loaded.length} shipped code systems and value sets`);
    await platform.db.close();
  });

program.command('seed')
  .description('generate and load the Rwanda demo dataset')
  .option('--data-dir <dir>', 'embedded database folder (HUZA_DATA_DIR)')
  .option('--patients <n>', 'patients to generate', integer, 200)
  .option('--seed <n>', 'random seed (same seed, same data)', integer, 1)
  .action(async (options) => {
    const config = configFrom(options);
    assertNoServer(config);
    const platform = await openPlatform(config);
    const report = await loadDemoData(platform, { patients: options.patients, seed: options.seed }, process.stderr.isTTY === true);
    console.log(`Loaded ${report.resources} resources in ${report.bundles} transactions (${report.seconds.toFixed(1)} s)`);
    await platform.db.close();
  });

const clients = program.command('clients').description('OAuth clients of systems (facility EMRs, lab systems, test harnesses)');
clients.command('create')
  .description('register a system client for the client-credentials flow')
  .requiredOption('--name <name>', 'what the system is, e.g. "OpenMRS Kibagabaga"')
  .requiredOption('--scope <scopes>', 'SMART system scopes it may request, e.g. "system/Patient.rs system/Observation.cruds"')
  .option('--facility <id>', 'the Organization the system acts for')
  .option('--data-dir <dir>', 'embedded database folder (HUZA_DATA_DIR)')
  .option('--json', 'print {"client_id": …, "client_secret": …}')
  .action(async (options) => {
    const config = configFrom(options);
    const body = { name: options.name, scope: options.scope, facility: options.facility };
    const lock = config.databaseUrl ? undefined : readServerLock(config.dataDir);
    let created: { client_id: string; client_secret?: string };
    if (lock) {
      // The server has the embedded database open: ask it, with the local token it left for us.
      const response = await postJson(`${lock.origin}/admin/clients`, body, { authorization: `Huza-Local ${lock.adminToken}` }, lock.ca);
      if (response.status !== 201) throw new Error(`the server refused (${response.status}): ${response.text}`);
      created = JSON.parse(response.text) as typeof created;
    } else {
      const platform = await openPlatform(config);
      try {
        created = await new ClientRegistry(platform.db).createSystemClient(body);
      } finally {
        await platform.db.close();
      }
    }
    console.log(options.json ? JSON.stringify(created) : `client_id: ${created.client_id}\nclient_secret: ${created.client_secret ?? '(private_key_jwt)'}`);
  });

const accounts = program.command('accounts').description('people who log in');
accounts.command('create')
  .description('create a staff or patient account')
  .requiredOption('--username <name>')
  .requiredOption('--display-name <name>')
  .requiredOption('--role <roles>', 'comma-separated: exchange-admin, registry-steward, clinician, specialist, chw, chw-supervisor, regulator, auditor, patient')
  .option('--fhir-user <ref>', 'Practitioner/… or Patient/…')
  .option('--facility <ids>', 'comma-separated Organization ids')
  .option('--data-dir <dir>', 'embedded database folder (HUZA_DATA_DIR)')
  .action(async (options) => {
    const config = configFrom(options);
    assertNoServer(config);
    const password = process.env.HUZA_NEW_PASSWORD;
    if (!password) throw new Error('Give the password in HUZA_NEW_PASSWORD (never on the command line, where it would show in process lists)');
    const roles = String(options.role).split(',').map((r) => r.trim());
    for (const r of roles) if (!isRole(r)) throw new Error(`Unknown role '${r}'`);
    const platform = await openPlatform(config);
    try {
      const account = await new AccountStore(platform.db).create({
        username: options.username, password, displayName: options.displayName, roles: roles as Role[],
        fhirUser: options.fhirUser, facilities: options.facility ? String(options.facility).split(',') : [],
      });
      console.log(`account ${account.id} (${account.username}) created`);
    } finally {
      await platform.db.close();
    }
  });

program.command('audit')
  .description('audit trail tools')
  .command('verify')
  .description('check the audit hash chain: any changed, deleted or reordered AuditEvent is reported')
  .option('--data-dir <dir>', 'embedded database folder (HUZA_DATA_DIR)')
  .action(async (options) => {
    const config = configFrom(options);
    assertNoServer(config);
    const platform = await openPlatform(config);
    try {
      const report = await verifyAuditChain(platform.db, platform.cipher, (checked, total) => {
        if (process.stderr.isTTY) process.stderr.write(`\rchecked ${checked}/${total}`);
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      if (report.ok) console.log(`Audit chain intact: ${report.checked} events, head ${report.head}`);
      else {
        console.log(`Audit chain BROKEN at #${report.firstBreak?.seq} (AuditEvent/${report.firstBreak?.auditEventId}): ${report.firstBreak?.problem}`);
        process.exitCode = 2;
      }
    } finally {
      await platform.db.close();
    }
  });

program.command('registry')
  .description('the client registry (master patient index)')
  .command('load <file>')
  .description('load source Patients (NDJSON, one per line) with matching, in batches; refused rows go to an error file with their line numbers')
  .option('--batch <n>', 'records per batch (each its own transaction)', integer, 1000)
  .option('--in-flight <n>', 'batches written at once', integer, 2)
  .option('--workers <n>', 'worker threads preparing records (validation, index rows, blocking keys); 0: none (default: cores - 1, at least 1)', integer)
  .option('--source <system>', 'the system the records come from (identity-domain assigner rules)', 'huza')
  .option('--errors <file>', 'where refused rows go (default FILE.errors.ndjson)')
  .option('--data-dir <dir>', 'embedded database folder (HUZA_DATA_DIR)')
  .action(async (file, options) => {
    const config = configFrom(options);
    assertNoServer(config);
    await registryLoad(config, file, { batch: options.batch, inFlight: options.inFlight, workers: options.workers, source: options.source, errors: options.errors }, process.stderr.isTTY === true);
  });

program.command('keys')
  .description('encryption keys: resource content is encrypted at rest under data keys wrapped by the master key')
  .command('rotate')
  .description('add a data key version and re-encrypt stored content under it in batches, while servers keep serving (PostgreSQL); '
    + 'with --master or HUZA_NEW_MASTER_KEY, re-wrap every key under a new master key instead')
  .option('--master <file>', 'file holding the new master key (base64 of 32 random bytes)')
  .option('--no-new-key', 'add no data key: only re-encrypt what is not under the current one (plaintext rows after an upgrade, stragglers)')
  .option('--batch <n>', 'rows per batch (each its own transaction)', integer, 500)
  .option('--settle <seconds>', 'PostgreSQL: how long to sweep up rows running servers write under the old key before they load the new one (default 35)', integer)
  .option('--data-dir <dir>', 'embedded database folder (HUZA_DATA_DIR)')
  .action(async (options) => {
    const config = configFrom(options);
    assertNoServer(config);
    await keysRotate(config, { master: options.master, newKey: options.newKey, batch: options.batch, settle: options.settle }, process.env, process.stderr.isTTY === true);
  });

program.command('facilities')
  .description('the facility registry (IHE mCSD)')
  .command('import <file>')
  .description('import facilities from a CSV file (code,name,type,district,parent_code,latitude,longitude,phone,email,serves) '
    + 'or a DHIS2 organisation-unit export (JSON), all or nothing; errors name the row')
  .option('--format <format>', 'csv or dhis2 (default: from the file)', (v: string) => {
    if (v !== 'csv' && v !== 'dhis2') throw new InvalidArgumentError('csv or dhis2');
    return v;
  })
  .option('--dry-run', 'check and report what would be created or updated; store nothing')
  .option('--update', 'update facilities whose code is already registered (otherwise such rows are errors)')
  .option('--data-dir <dir>', 'embedded database folder (HUZA_DATA_DIR)')
  .action(async (file: string, options) => {
    const config = configFrom(options);
    assertNoServer(config);
    process.exitCode = await facilitiesImport(config, file, { format: options.format, dryRun: options.dryRun === true, update: options.update === true }, process.stderr.isTTY === true);
  });

program.command('populations')
  .description('district populations for workforce planning (Location/$workforce-density)')
  .command('import <file>')
  .description('set district populations from a CSV file (district,population,year[,source]; district by name or Location id), '
    + 'all or nothing; errors name the row')
  .option('--dry-run', 'check and report what would be set; store nothing')
  .option('--data-dir <dir>', 'embedded database folder (HUZA_DATA_DIR)')
  .action(async (file: string, options) => {
    const config = configFrom(options);
    assertNoServer(config);
    process.exitCode = await populationsImport(config, file, { dryRun: options.dryRun === true });
  });

// Program options only before a subcommand, so that `terminology load --version` is the release's version, not huza's.
program.enablePositionalOptions();
program.command('terminology')
  .description('the terminology service ($lookup, $validate-code, $expand, $subsumes, $translate)')
  .command('load <file>')
  .description('load a release file obtained from its publisher: LOINC (LoincTableCore.csv or Loinc.csv), the ICD-10-CM order file '
    + '(icd10cm_order_YYYY.txt), the ICD-11 MMS simple tabulation or WHO ICD-10 in ClaML (icdClaML2019ens.xml); bad rows are listed by line, '
    + 'a file of another format or malformed XML is refused')
  .requiredOption('--format <format>', 'loinc, icd10cm, icd11 or icd10 (WHO ClaML)', (v: string) => {
    if (!['loinc', 'icd10cm', 'icd11', 'icd10'].includes(v)) throw new InvalidArgumentError('loinc, icd10cm, icd11 or icd10');
    return v;
  })
  .option('--version <version>', 'the release version, e.g. 2.78 (ICD-10-CM: default from the file name\'s year; ICD-10: from the file\'s <Title>)')
  .option('--data-dir <dir>', 'embedded database folder (HUZA_DATA_DIR)')
  .action(async (file: string, options) => {
    const config = configFrom(options);
    assertNoServer(config);
    process.exitCode = await terminologyLoad(config, file, { format: options.format, version: options.version }, process.stderr.isTTY === true);
  });

program.parseAsync(process.argv).catch((error: Error) => {
  console.error(`huza: ${error.message}`);
  process.exit(1);
});
