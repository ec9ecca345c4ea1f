/**
 * `npm run demo:lrs`: the same online migration through the Log Replay Service (no migration
 * service, no integration runtime): the built demo runs it on the sandbox and exits 0, quickly.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';

const demo = resolve(__dirname, '../../../dist/demo.js');

test('npm run demo:lrs: upload, the restore started with a SAS made for it, the last log backup, the guarded completion, online; exit 0', existsSync(demo) ? {} : { skip: `${demo} is not built (npm test builds it first)` }, () => {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [demo, '--lrs'], { encoding: 'utf8', timeout: 120_000 });
  const seconds = (Date.now() - t0) / 1000;
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.ok(seconds < 60, `the demo took ${seconds} s`);
  for (const step of [
    /\$ sqlmig log-replay start /,
    /started {2}Sales -> Sales {2}Restoring/,
    /status │ .*Sales_FULL\.bak .*Restored/,
    /upload │ +upload {2}Sales\/Sales_LOG_003\.trn/,
    /status │ .*Sales_LOG_003\.trn .*Restored/,
    /^ {2}completed Sales: Succeeded, the database is online$/m,
    /status │ .*-> Succeeded/,
    /Sales migrated: Succeeded/,
  ]) assert.match(r.stdout, step);
  assert.doesNotMatch(r.stdout + r.stderr, /AccountKey=|sig=|sqlMigrationServices/, 'no key, no SAS token, no migration service');
});
