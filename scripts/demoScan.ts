/**
 * `npm run demo:scan`: writes a sample folder of SQL Server backups (synthetic, with real headers)
 * and scans it with the sqlmig CLI, showing a ready chain, a striped set and a broken chain.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleChain, writeChain } from '../sandbox/backups/sampleChain';

async function main(): Promise<void> {
  const outIndex = process.argv.indexOf('--out');
  const root = outIndex > 0 ? process.argv[outIndex + 1]! : mkdtempSync(join(tmpdir(), 'sqlmig-demo-'));

  await writeChain(join(root, 'Sales'), sampleChain({ databaseName: 'Sales', logs: 4, differentialAfterLog: 2, vlf: 41 }));
  // HR: striped over two files, WITH COMPRESSION.
  await writeChain(join(root, 'HR'), sampleChain({ databaseName: 'HR', logs: 2, stripes: 2, vlf: 57, utcOffsetMinutes: 60, compressed: true }));
  // Inventory: the third log backup is missing and the fourth was cut off mid-copy.
  const inventory = sampleChain({ databaseName: 'Inventory', logs: 5, vlf: 73, hasChecksums: false });
  const kept = inventory.filter((f) => !f.fileName.endsWith('LOG_003.trn'));
  const cut = kept.find((f) => f.fileName.endsWith('LOG_004.trn'))!;
  cut.bytes = cut.bytes.subarray(0, Math.floor(cut.bytes.length / 2));
  await writeChain(join(root, 'Inventory'), kept);
  writeFileSync(join(root, 'Inventory', 'README.txt'), 'Nightly backups of Inventory.\n');

  console.log(`Sample backups written to ${root}\n`);
  console.log(`$ sqlmig backups scan ${root}\n`);
  const cli = join(__dirname, 'cli.js');
  const run = spawnSync(process.execPath, [cli, 'backups', 'scan', root], { stdio: 'inherit', cwd: root });
  console.log(
    `\nsqlmig exited with ${run.status}: Sales and HR are ready, Inventory is not (a missing log backup,` +
      ' a truncated copy and a stray file). Try --json, --database Sales or --stop-at 2026-11-01T09:07:00.',
  );
  // 1 is the expected answer here ("not every database is ready"); anything else is a failure.
  process.exitCode = run.status === 1 ? 0 : 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
