/**
 * `npm run demo:editor`: the sandbox (a local Azure, the source SQL Server stand-in and an
 * integration runtime) and a real VS Code in the browser (code-server on a loopback port) with
 * this extension installed and pointed at the sandbox, opened on a folder with a backup chain
 * to migrate and sample backups to scan. Prints the address and the source server's login,
 * and runs until Ctrl+C, which stops everything.
 * Options: --port N (code-server's port; default a free one), --speed X (the sandbox clock,
 * default 10 times real time), --folder DIR (open your own folder instead), --mssql-stand-in
 * (install the MSSQL extension's stand-in too, with the sandbox's server among its saved
 * connections, to try the source step's saved connections and Object Explorer's command).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sampleChain, writeChain } from '../../sandbox/backups/sampleChain';
import type { Sandbox } from '../../sandbox/sandbox';
import { ensureTools, packageMssqlStandIn, packageVsix, startCodeServer, type CodeServer } from './codeServer';
import { DATABASE, migrationFolder, mssqlSettings, sandboxSettings, startEditorSandbox } from './editorSandbox';

async function sampleWorkspace(dir: string): Promise<{ folder: string; lastLog: string }> {
  const chain = await migrationFolder(join(dir, 'migrate'));
  await writeChain(join(dir, 'scan', 'Sales'), sampleChain({ databaseName: 'Sales', logs: 4, differentialAfterLog: 2 }));
  await writeChain(join(dir, 'scan', 'HR'), sampleChain({ databaseName: 'HR', logs: 2, stripes: 2 }));
  await writeChain(join(dir, 'scan', 'Inventory'), sampleChain({ databaseName: 'Inventory', logs: 4 }).filter((f) => !f.fileName.endsWith('LOG_003.trn')));
  writeFileSync(
    join(dir, 'README.md'),
    `# Try Azure SQL Migration against the local sandbox\n\n` +
      `- \`migrate/${DATABASE}\`: ${chain.real ? 'a copy of real SQL Server backups' : 'synthetic backups'} of ${DATABASE}, without its last log backup.\n` +
      `- \`migrate/later/${chain.lastLogName}\`: that last log backup. Copy it into \`migrate/${DATABASE}\` during the migration:\n` +
      `  the extension uploads it and the migration service restores it; then run **Complete Cutover...**.\n` +
      `- \`scan\`: three databases to try **Scan Backup Folder...** on (Inventory misses a log backup).\n\n` +
      `The source SQL Server's address and login are printed in the terminal that started the demo.\n`,
  );
  return { folder: chain.folder, lastLog: chain.lastLog };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' }, folder: { type: 'string' }, speed: { type: 'string' }, 'mssql-stand-in': { type: 'boolean' } } });
  const port = values.port ? Number(values.port) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`--port wants a port number, not ${values.port}`);
  const speed = values.speed ? Number(values.speed) : 10;
  if (!(speed > 0 && speed <= 1000)) throw new Error(`--speed wants a number from 0 to 1000, not ${values.speed}`);

  const tools = ensureTools();
  const work = mkdtempSync(join(tmpdir(), 'sqlmig-demo-editor-'));
  let sb: Sandbox | undefined;
  let server: CodeServer | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await server?.stop();
    await sb?.stop();
    rmSync(work, { recursive: true, force: true });
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  try {
    const workspace = values.folder ? resolve(values.folder) : join(work, 'workspace');
    const sample = values.folder ? undefined : await sampleWorkspace(workspace);
    sb = await startEditorSandbox({ clockSpeed: speed, dataDir: join(work, 'sandbox') });
    await sb.startIntegrationRuntime();
    const vsix = packageVsix(join(work, 'azure-sql-migration.vsix'));
    const standIn = values['mssql-stand-in'] ? packageMssqlStandIn(join(work, 'mssql-stand-in.vsix')) : undefined;
    server = await startCodeServer({
      tools, vsix, dataDir: join(work, 'code-server'), workspace, ...(port && { port }),
      settings: { ...sandboxSettings(sb), ...(standIn && mssqlSettings(sb)) },
      ...(standIn && { extensions: [standIn] }),
    });
    const src = sb.info.sourceServer!;
    console.log(`\nVS Code with Azure SQL Migration, pointed at the local sandbox, is running at\n\n  ${server.url}?folder=${encodeURIComponent(workspace)}\n`);
    console.log('In the wizard (Azure SQL Migration view > Migrate to Azure SQL):');
    console.log('  cloud       Local sandbox (already chosen through the settings): Sign In');
    console.log(`  server      ${src.host},${src.port}   (tick "Trust the server certificate")`);
    console.log(`  login       ${src.user}`);
    console.log(`  password    ${src.password}   (a throwaway sandbox login)`);
    if (sample) {
      console.log(`  database    ${DATABASE}, backups in ${sample.folder}`);
      console.log(`  later       copy ${sample.lastLog} into that folder, then Complete Cutover...`);
    }
    if (standIn) console.log('  MSSQL       the stand-in MSSQL extension holds the sandbox server as a saved connection: the source step lists it, and the context menu of its SQL Server view has Migrate to Azure SQL');
    console.log(`\nThe sandbox clock runs ${speed}x real time; an integration runtime is registered. Listens on 127.0.0.1 only, no password.`);
    console.log('Press Ctrl+C to stop code-server and the sandbox (their temporary folders are removed).');
  } catch (e) {
    console.error(`demo:editor: ${(e as Error).message}`);
    await stop(1);
  }
}

void main();
