/**
 * The sandbox as the editor e2e and `npm run demo:editor` use it: the source SQL Server stand-in
 * with the default profile plus the database being migrated, a local backup folder holding that
 * database's chain without its last log backup (a copy of the real RestoreTimeClean backups in
 * ../shared/data/backups, or a synthetic chain when they are absent), and the settings that
 * point the extension at the sandbox's cloud file.
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sampleChain, writeChain } from '../../sandbox/backups/sampleChain';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/sandbox';
import { ROOT } from './codeServer';

export const DATABASE = 'RestoreTimeClean';
const REAL_CHAIN = join(ROOT, '../shared/data/backups', DATABASE);
/** The chain's last log backup: left out of the folder at first, added to finish the migration. */
const REAL_LAST_LOG = 'RestoreTimeClean2_3.trn';

export interface MigrationFolder {
  /** The local folder the wizard uploads from. */
  folder: string;
  /** Where the last log backup waits to be copied into `folder`. */
  lastLog: string;
  lastLogName: string;
  /** False when the real backups were absent and a synthetic chain stands in. */
  real: boolean;
}

/** Writes `root/DATABASE` (the chain without its last log) and `root/later/<last log>`. */
export async function migrationFolder(root: string): Promise<MigrationFolder> {
  const folder = join(root, DATABASE);
  const later = join(root, 'later');
  mkdirSync(folder, { recursive: true });
  mkdirSync(later, { recursive: true });
  let names: string[] = [];
  try {
    names = readdirSync(REAL_CHAIN).filter((n) => /\.(bak|trn)$/i.test(n));
  } catch {
    // absent: synthetic below
  }
  if (names.includes(REAL_LAST_LOG)) {
    for (const n of names) copyFileSync(join(REAL_CHAIN, n), join(n === REAL_LAST_LOG ? later : folder, n));
    return { folder, lastLog: join(later, REAL_LAST_LOG), lastLogName: REAL_LAST_LOG, real: true };
  }
  const chain = sampleChain({ databaseName: DATABASE, logs: 3 });
  const last = chain.pop()!;
  await writeChain(folder, chain);
  await writeChain(later, [last]);
  return { folder, lastLog: join(later, last.fileName), lastLogName: last.fileName, real: false };
}

/** The default source profile (databases that hit many rules) plus a clean FULL-recovery DATABASE. */
export function sourceProfile(): unknown {
  const profile = JSON.parse(readFileSync(join(ROOT, 'sandbox/profiles/default.json'), 'utf8')) as { databases: { name: string }[] };
  const sales = profile.databases.find((d) => d.name === 'Sales')!;
  const copy = JSON.parse(JSON.stringify(sales).split('"Sales').join(`"${DATABASE}`)) as { name: string };
  profile.databases.push({ ...copy, name: DATABASE });
  return profile;
}

export function startEditorSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ ...options, profile: { ...options.profile, sourceServer: sourceProfile() } });
}

/** Settings that point the extension at the sandbox. */
export function sandboxSettings(sb: Sandbox, refreshSeconds = 10): Record<string, unknown> {
  return { 'sqlMigration.cloud': 'custom', 'sqlMigration.customCloudFile': sb.info.cloudFile, 'sqlMigration.refreshIntervalSeconds': refreshSeconds };
}

/** The stand-in MSSQL extension's saved connections: the sandbox's source server (its password in the stand-in's "credential store") and a Windows one. */
export const SAVED = { sandbox: 'Sandbox source (saved)', windows: 'HR on sqlhr (Windows)', windowsServer: 'sqlhr.contoso.com' };

/** User settings for the MSSQL extension's stand-in: profiles as the real extension saves them (no password among them). */
export function mssqlSettings(sb: Sandbox): Record<string, unknown> {
  const s = sb.info.sourceServer!;
  return {
    'mssql.connections': [
      { id: 'standin-sandbox', profileName: SAVED.sandbox, server: s.host, port: s.port, user: s.user, authenticationType: 'SqlLogin', encrypt: 'Mandatory', trustServerCertificate: true, savePassword: true },
      { id: 'standin-hr', profileName: SAVED.windows, server: SAVED.windowsServer, authenticationType: 'Integrated', encrypt: 'Optional', trustServerCertificate: false },
    ],
    'mssqlStandIn.savedPasswords': { 'standin-sandbox': s.password },
  };
}
