/**
 * `npm run demo`, the README's main job: the built demo runs a whole online migration on the
 * sandbox through the CLI and exits 0, quickly, leaving nothing running.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';

const demo = resolve(__dirname, '../../../dist/demo.js');

test('npm run demo: upload, restore, the last log backup, cutover, Succeeded; exit 0', existsSync(demo) ? {} : { skip: `${demo} is not built (npm test builds it first)` }, () => {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [demo], { encoding: 'utf8', timeout: 120_000 });
  const seconds = (Date.now() - t0) / 1000;
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.ok(seconds < 60, `the demo took ${seconds} s`);
  for (const step of [
    /upload │ +upload {2}Sales\/Sales_FULL\.bak/,
    /started {2}Sales -> Sales/,
    /status │ .*Sales_FULL\.bak .*Restored/,
    /upload │ +upload {2}Sales\/Sales_LOG_003\.trn/,
    /status │ .*Sales_LOG_003\.trn .*Restored/,
    /^ {2}cut over Sales: Succeeded$/m,
    /status │ .*-> Succeeded/,
    /Sales migrated: Succeeded/,
  ]) assert.match(r.stdout, step);
  assert.doesNotMatch(r.stdout + r.stderr, /AccountKey=|IR@/, 'no storage key or runtime key');
});
