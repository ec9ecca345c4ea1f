/**
 * `npm run demo:editor`: a real VS Code in the browser (code-server on a loopback port) with
 * this extension installed, opened on a folder of sample backups. Prints the address and runs
 * until Ctrl+C. Options: --port N (default: a free port), --folder DIR (default: sample backups
 * written to a temporary folder).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sampleChain, writeChain } from '../../sandbox/backups/sampleChain';
import { ensureTools, packageVsix, startCodeServer } from './codeServer';

async function sampleWorkspace(dir: string): Promise<void> {
  await writeChain(join(dir, 'backups', 'Sales'), sampleChain({ databaseName: 'Sales', logs: 4, differentialAfterLog: 2 }));
  await writeChain(join(dir, 'backups', 'HR'), sampleChain({ databaseName: 'HR', logs: 2, stripes: 2 }));
  const inventory = sampleChain({ databaseName: 'Inventory', logs: 4 }).filter((f) => !f.fileName.endsWith('LOG_003.trn'));
  await writeChain(join(dir, 'backups', 'Inventory'), inventory);
  writeFileSync(
    join(dir, 'README.md'),
    '# Sample backups\n\nSynthetic SQL Server backups (real headers, zeroed data) for three databases:\n' +
      'Sales and HR restore cleanly; Inventory misses a log backup.\n\n' +
      'Right-click `backups` in the Explorer and choose **Scan Backup Folder...**, or open the\n' +
      '**Azure SQL Migration** view in the activity bar and start **Migrate to Azure SQL**.\n',
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' }, folder: { type: 'string' } } });
  const port = values.port ? Number(values.port) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`--port wants a port number, not ${values.port}`);

  const tools = ensureTools();
  const work = mkdtempSync(join(tmpdir(), 'sqlmig-demo-editor-'));
  let workspace = values.folder ? resolve(values.folder) : join(work, 'workspace');
  if (!values.folder) await sampleWorkspace(workspace);
  const vsix = packageVsix(join(work, 'azure-sql-migration.vsix'));
  const server = await startCodeServer({ tools, vsix, dataDir: join(work, 'code-server'), workspace, ...(port && { port }) });

  const stop = async () => {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  workspace = encodeURIComponent(workspace);
  console.log(`\nVS Code with Azure SQL Migration is running at\n\n  ${server.url}?folder=${workspace}\n`);
  console.log('It listens on 127.0.0.1 only, with no password. Press Ctrl+C to stop it (its temporary folders are removed).');
}

main().catch((e) => {
  console.error(`demo:editor: ${(e as Error).message}`);
  process.exitCode = 1;
});
