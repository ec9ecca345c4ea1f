/**
 * `npm run demo`: a whole online migration to Azure SQL Managed Instance, on the local sandbox,
 * through the sqlmig CLI: it starts the sandbox, writes a sample backup chain, uploads it,
 * starts the migration, follows every backup file as the service restores it, takes the last
 * log backup, cuts over and waits for Succeeded; then stops everything. Exit code 0 when the
 * migration succeeded, 1 when any step failed.
 *
 * With `--lrs` the same online migration goes through the Log Replay Service instead: the
 * managed instance restores from the blob folder itself (no migration service, no integration
 * runtime, a Read + List SAS token sqlmig makes), and the cutover is `log-replay complete`.
 *
 * Every sqlmig command runs as its own process, exactly as printed (with the long ids shortened
 * to the variables listed at the start).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { sampleChain, writeChain } from '../sandbox/backups/sampleChain';
import { startSandbox, type Sandbox } from '../sandbox/sandbox';
import { sizeText } from '../src/core/text';

const CLI = join(__dirname, 'cli.js');
/** Simulated seconds per real second: the service's scans, restores and cutover take seconds, not minutes. */
const CLOCK_SPEED = 30;
/** The whole demo must end well within this, or it fails. */
const DEADLINE_MS = 100_000;
const started = Date.now();
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[22m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[22m` : s);

/** Long values printed as the variable names the demo lists first. */
const aliases: [string, string][] = [];
const shorten = (text: string) => aliases.reduce((t, [value, name]) => t.split(value).join(name), text);
const quote = (a: string) => (/^[\w./,=:@-]+$/.test(a) || a.startsWith('$') ? a : `'${a}'`);

function step(title: string): void {
  console.log(`\n${bold(`▸ ${title}`)}  ${dim(`(${((Date.now() - started) / 1000).toFixed(1)} s)`)}`);
}

function echo(args: string[], background = false): void {
  console.log(`${bold('$')} sqlmig ${shorten(args.map(quote).join(' '))}${background ? ' &' : ''}`);
}

function lines(child: ChildProcess, each: (line: string) => void): void {
  for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', each);
}

/** Runs a command to its end, printing what it prints; fails unless its exit code is `expect`. */
async function sqlmig(args: string[], env: NodeJS.ProcessEnv = {}, expect = 0): Promise<void> {
  echo(args);
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  lines(child, (line) => console.log(`  ${shorten(line)}`));
  const code = await new Promise<number | null>((ok) => child.once('exit', ok));
  if (code !== expect) throw new Error(`sqlmig ${args.slice(0, 2).join(' ')} exited with ${code}`);
}

/** A command that keeps running (--watch): its lines are printed with a label as they come. */
class Background {
  private readonly child: ChildProcess;
  private readonly seen: string[] = [];
  private readonly waiters = new Set<() => void>();
  readonly exited: Promise<number | null>;

  constructor(readonly label: string, args: string[]) {
    echo(args, true);
    this.child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((ok) => this.child.once('exit', ok));
    lines(this.child, (line) => {
      this.seen.push(line);
      console.log(`  ${dim(`${label} │`)} ${shorten(line)}`);
      for (const w of this.waiters) w();
    });
  }

  /** Waits until it has printed a line matching `re`. */
  async until(re: RegExp, what: string): Promise<void> {
    if (this.seen.some((l) => re.test(l))) return;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (this.seen.some((l) => re.test(l))) done(resolve);
      };
      const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${what}`))), Math.max(1000, DEADLINE_MS - (Date.now() - started)));
      const ended = () => done(() => reject(new Error(`"${this.label}" stopped before ${what}`)));
      const done = (then: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        this.child.off('exit', ended);
        then();
      };
      this.waiters.add(check);
      this.child.once('exit', ended);
    });
  }

  /** Ctrl-C, as a user would press it. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT');
    return this.exited;
  }
}

const LRS = process.argv.includes('--lrs');

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'sqlmig-demo-'));
  const running: Background[] = [];
  let sb: Sandbox | undefined;
  try {
    console.log(bold(`Azure SQL Migration: an online migration of one database to Azure SQL Managed Instance${LRS ? ' with the Log Replay Service' : ''}, on a local sandbox`));
    step(`Start the sandbox: Azurite (blob storage), Azure Resource Manager and ${LRS ? 'a managed instance that restores from blob storage itself' : 'the Database Migration Service'}, on 127.0.0.1`);
    sb = await startSandbox({ clockSpeed: CLOCK_SPEED, dataDir: join(work, 'sandbox') });
    const i = sb.info;
    const backups = join(work, 'backups', 'Sales');
    const migration = LRS ? `${i.managedInstanceId}/databases/Sales` : `${i.managedInstanceId}/providers/Microsoft.DataMigration/databaseMigrations/Sales`;
    const source = i.sourceServer ? { server: `${i.sourceServer.host},${i.sourceServer.port}`, user: i.sourceServer.user, password: i.sourceServer.password } : { server: 'SQLSRC01', user: 'migrator', password: randomBytes(12).toString('base64url') };
    aliases.push([migration, LRS ? '$RESTORE' : '$MIGRATION'], ...(LRS ? [] : [[i.migrationServiceId, '$DMS'] as [string, string]]), [i.managedInstanceId, '$MI'], [i.storageAccountId, '$STORAGE'], [i.cloudFile, '$CLOUD'], [backups, '$BACKUPS']);
    console.log(`  Its clock runs ${CLOCK_SPEED} times faster than real time. The commands below use:`);
    for (const [value, name] of [...aliases].reverse()) console.log(`  ${name.padEnd(10)} ${value}`);
    const azure = ['--cloud-file', i.cloudFile];

    // Compressed, as Microsoft's guide recommends for migrations (-- --uncompressed for plain MTF files).
    const compressed = !process.argv.includes('--uncompressed');
    step(`A SQL Server backup folder for database Sales: a full backup and two log backups${compressed ? ', taken WITH COMPRESSION' : ''}`);
    const chain = sampleChain({ databaseName: 'Sales', logs: 3, pages: 640, compressed });
    await writeChain(backups, chain.slice(0, 3));
    for (const f of chain.slice(0, 3)) console.log(`  ${f.fileName.padEnd(18)} ${sizeText(f.bytes.length).padStart(10)}  ${f.spec.backupType}`);

    step('Upload the backup chain to its own folder in a blob container, and keep uploading new log backups');
    const upload = new Background('upload', ['backups', 'upload', backups, '--database', 'Sales', '--container', 'migrations', '--storage-account-id', i.storageAccountId, ...azure, '--watch', '--interval', '1']);
    running.push(upload);
    await upload.until(/upload {2}Sales\/Sales_LOG_002\.trn/, 'the first uploads');

    if (LRS) {
      step('Start the restore with the Log Replay Service: every rule checked first, a Read + List SAS token made for the container (never printed)');
      await sqlmig(['log-replay', 'start', ...azure, '--target', i.managedInstanceId, '--storage-account-id', i.storageAccountId, '--container', 'migrations', '--database', 'Sales']);
    } else {
      step('Start the online migration (the source password comes from the environment, never the command line)');
      await sqlmig(['migrate', 'start', ...azure, '--service', i.migrationServiceId, '--target', i.managedInstanceId, '--source-server', source.server,
        '--source-user', source.user, '--storage-account-id', i.storageAccountId, '--container', 'migrations', '--database', 'Sales'], { SQLMIG_SOURCE_PASSWORD: source.password });
    }

    step(`Follow it: the ${LRS ? 'instance' : 'service'} restores the full backup, then each log backup`);
    const status = new Background('status', [LRS ? 'log-replay' : 'migrate', 'status', ...azure, LRS ? '--restore' : '--migration', migration, '--watch', '--interval', '1']);
    running.push(status);
    await status.until(/Sales_LOG_002\.trn .*Restored/, 'the log backups restored');
    await status.until(/once the tail-log backup is restored too: sqlmig (migrate cutover|log-replay complete)/, 'ready for the cutover');

    step('Cutover time: the application stops writing, and the last log backup is taken');
    await writeChain(backups, chain.slice(3));
    console.log(`  ${chain[3]!.fileName} written to $BACKUPS: the upload watcher sends it, the ${LRS ? 'instance' : 'service'} restores it`);
    await status.until(/Sales_LOG_003\.trn .*Restored/, 'the last log backup restored');

    step('Complete the cutover: checked first (nothing pending), then the database comes online on the instance');
    await sqlmig(LRS ? ['log-replay', 'complete', '--tail-log-taken', ...azure, '--restore', migration] : ['migrate', 'cutover', '--tail-log-taken', ...azure, '--migration', migration]);
    const watched = await status.exited;
    if (watched !== 0) throw new Error(`the status watch ended with ${watched}: the migration did not succeed`);
    await upload.stop();

    step('The database on the target instance');
    await sqlmig(['targets', 'list', ...azure, '--databases']);
    console.log(`\n${bold(`Sales migrated: Succeeded in ${((Date.now() - started) / 1000).toFixed(1)} s.`)} Stopping the sandbox.`);
  } finally {
    for (const b of running) await b.stop();
    await sb?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

const deadline = setTimeout(() => {
  console.error(`\ndemo: not done after ${DEADLINE_MS / 1000} s`);
  process.exit(1);
}, DEADLINE_MS + 15_000);
main().then(
  () => clearTimeout(deadline),
  (e) => {
    clearTimeout(deadline);
    console.error(`\ndemo failed: ${(e as Error).message}`);
    process.exitCode = 1;
  },
);
