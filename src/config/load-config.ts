import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface HuzaConfig {
  port: number;
  host: string;
  /** postgres://… selects PostgreSQL; absent, the embedded database in dataDir. */
  databaseUrl?: string;
  dataDir: string;
  poolSize: number;
  /** Public origin of the server (OAuth issuer; the FHIR base is this + /fhir). Defaults to http://HOST:PORT. */
  publicOrigin?: string;
  /** 32-byte master key, base64 (production: from the secret store). */
  masterKey?: string;
  /** Where a development master key is kept when HUZA_MASTER_KEY is not set (created on first start). */
  masterKeyFile?: string;
  logLevel: string;
  /** Largest request body in bytes (a transaction Bundle included). */
  bodyLimit: number;
  /** How many results a paged search freezes for its next/previous links. */
  maxSnapshotSize: number;
  /** HTTPS with the operator's certificate and key (PEM files). */
  tlsCert?: string;
  tlsKey?: string;
  /** HTTPS with a self-signed certificate made for localhost (development). */
  devTls: boolean;
  /** Refuse resources that are not valid against the R4 definitions (on by default). */
  validate: boolean;
}

const defaults: HuzaConfig = {
  port: 8080,
  // Loopback until a deployment says otherwise: nothing is exposed by accident.
  host: '127.0.0.1',
  dataDir: './data',
  poolSize: 10,
  logLevel: 'info',
  bodyLimit: 32 * 1024 * 1024,
  maxSnapshotSize: 10_000,
  validate: true,
  devTls: false,
};

const envKeys: Record<keyof HuzaConfig, string> = {
  port: 'PORT', host: 'HOST', databaseUrl: 'DATABASE_URL', dataDir: 'HUZA_DATA_DIR', poolSize: 'HUZA_DB_POOL_SIZE',
  publicOrigin: 'HUZA_PUBLIC_ORIGIN', masterKey: 'HUZA_MASTER_KEY', masterKeyFile: 'HUZA_MASTER_KEY_FILE', tlsCert: 'HUZA_TLS_CERT', tlsKey: 'HUZA_TLS_KEY', devTls: 'HUZA_DEV_TLS', logLevel: 'LOG_LEVEL', bodyLimit: 'HUZA_BODY_LIMIT', maxSnapshotSize: 'HUZA_MAX_SNAPSHOT', validate: 'HUZA_VALIDATE',
};

/**
 * Configuration from, in rising precedence: defaults, a JSON file (HUZA_CONFIG, or ./huza.config.json
 * when present), environment variables, then explicit overrides (command-line flags).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<HuzaConfig> = {}): HuzaConfig {
  const file = env.HUZA_CONFIG ?? (existsSync('huza.config.json') ? 'huza.config.json' : undefined);
  const fromFile = file ? (JSON.parse(readFileSync(resolve(file), 'utf8')) as Partial<HuzaConfig>) : {};
  const fromEnv: Partial<Record<keyof HuzaConfig, unknown>> = {};
  for (const [key, name] of Object.entries(envKeys) as [keyof HuzaConfig, string][]) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    fromEnv[key] = typeof defaults[key] === 'number' ? Number(raw) : typeof defaults[key] === 'boolean' ? raw !== 'false' && raw !== '0' : raw;
  }
  const config = { ...defaults, ...fromFile, ...fromEnv, ...overrides } as HuzaConfig;
  for (const key of ['port', 'poolSize', 'bodyLimit', 'maxSnapshotSize'] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 0) throw new Error(`Configuration ${envKeys[key]} must be a whole number, not '${config[key]}'`);
  }
  if (config.databaseUrl && !/^postgres(ql)?:\/\//.test(config.databaseUrl)) throw new Error('DATABASE_URL must start with postgres:// or postgresql://');
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) throw new Error('HUZA_TLS_CERT and HUZA_TLS_KEY go together');
  if (config.publicOrigin && !/^https?:\/\/[^/]+$/.test(config.publicOrigin)) throw new Error('HUZA_PUBLIC_ORIGIN must be an origin such as https://huza.moh.gov.rw (no path)');
  return config;
}

/** The public origin: configured, or this server's own address. */
export function publicOrigin(config: HuzaConfig): string {
  const scheme = usesTls(config) ? 'https' : 'http';
  return config.publicOrigin ?? `${scheme}://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
}

export function usesTls(config: HuzaConfig): boolean {
  return config.devTls || (config.tlsCert !== undefined && config.tlsKey !== undefined);
}

export function masterKeyFile(config: HuzaConfig): string {
  return config.masterKeyFile ?? `${config.dataDir}/master.key`;
}
