/**
 * The CLI at estate scale against the sandbox: `migrate status --service` over a few hundred
 * migrations prints them sorted with one read per list page (counted by a throttling proxy with
 * ARM's read bucket); --json prints each migration on its own line as its page arrives; and a
 * bulk cutover at --concurrency 25, run as the real binary, prints no listener warning.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { sampleChain } from '../../../sandbox/backups/sampleChain';
import type { Sandbox } from '../../../sandbox/sandbox';
import { mapBounded } from '../../../src/core/backup';
import { sqlmig } from '../../support/cli';
import { arm, container, migrationPath, upload } from '../sandbox/support';
import { armCounter, type ArmCounter } from './armCounter';
import { Background, cliSandbox, waitFor } from './support';

const LISTED = 300;
const PAGE = 50;
let sb: Sandbox;
let proxy: ArmCounter;

/** Names whose order by number differs from their order as text and from their creation order. */
const listedNames = Array.from({ length: LISTED }, (_, i) => `Est${(i * 7919) % LISTED}`);
const byNumber = [...listedNames].sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));

function put(name: string, container: string) {
  return arm(sb, 'PUT', migrationPath(sb, name), {
    properties: {
      kind: 'SqlMi',
      scope: sb.info.managedInstanceId,
      migrationService: sb.info.migrationServiceId,
      sourceDatabaseName: name,
      backupConfiguration: { sourceLocation: { azureBlob: { authType: 'AccountKey', storageAccountResourceId: sb.info.storageAccountId, accountKey: sb.azurite.accounts[0]!.key1, blobContainerName: `${container}/${name}` } } },
    },
  });
}

before(async () => {
  sb = await cliSandbox({ pageSize: PAGE });
  // Their backup folders exist and are empty: the migrations wait in progress.
  await container(sb, 'estate').createIfNotExists();
  await mapBounded(listedNames, 16, async (name) => {
    const r = await put(name, 'estate');
    assert.ok(r.status < 300, JSON.stringify(r.body));
  });
  proxy = await armCounter(sb);
});
after(async () => {
  await proxy?.close();
  await sb?.stop();
});

const reset = () => {
  for (const k of Object.keys(proxy.counts) as (keyof ArmCounter['counts'])[]) proxy.counts[k] = 0;
};

test(`migrate status --service: ${LISTED} migrations sorted by name, one read per list page, nothing throttled`, async () => {
  reset();
  const r = await sqlmig(['migrate', 'status', '--cloud-file', proxy.cloudFile, '--service', sb.info.migrationServiceId]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`: ${LISTED} migration\\(s\\)`));
  const rows = r.stdout.split('\n').map((l) => /^\s*(Est\d+)\s/.exec(l)?.[1]).filter((n): n is string => Boolean(n));
  assert.deepEqual(rows, byNumber, 'rows by target database name, numbers in numeric order');
  assert.equal(proxy.counts.pages, LISTED / PAGE);
  assert.equal(proxy.counts.migrationGets, 0, 'no migration read one by one');
  assert.ok(proxy.counts.otherReads <= 2, `${proxy.counts.otherReads} other reads`);
  assert.equal(proxy.counts.throttled, 0);
});

test('migrate status --service --json: each migration on its own line as its page arrives; the whole is one document', async () => {
  reset();
  let pagesAtFirstLine: number | undefined;
  const r = await sqlmig(['migrate', 'status', '--cloud-file', proxy.cloudFile, '--service', sb.info.migrationServiceId, '--json'], {}, process.cwd(), {
    onLine: (line) => {
      if (pagesAtFirstLine === undefined && line.includes('"name":"Est')) pagesAtFirstLine = proxy.counts.pages;
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(pagesAtFirstLine, 1, 'the first migration printed before the second page was asked for');
  const items = r.stdout.split('\n').filter((l) => l.includes('"name":"Est')).map((l) => JSON.parse(l.replace(/^,/, '')) as { name: string; status: string });
  assert.equal(items.length, LISTED, 'one line per migration, each a JSON object (after the separator)');
  const doc = JSON.parse(r.stdout) as { services: { migrations: { name: string }[] }[] };
  assert.deepEqual(doc.services[0]!.migrations.map((m) => m.name).sort(), [...listedNames].sort());
  assert.equal(proxy.counts.throttled, 0);
});

test('migrate status --service --watch: the first refresh prints every migration once, by name, from the list pages alone', async () => {
  reset();
  const watch = new Background(['migrate', 'status', '--cloud-file', proxy.cloudFile, '--service', sb.info.migrationServiceId, '--watch', '--interval', '0.2']);
  await watch.line(new RegExp(`\\b${byNumber.at(-1)}\\b`), 'the last migration by name');
  const r = await watch.stop();
  assert.equal(r.code, 0, r.stderr);
  const first = watch.lines.map((l) => /^\S+ {2}(Est\d+) +\w/.exec(l)?.[1]).filter((n): n is string => Boolean(n)).slice(0, LISTED);
  assert.deepEqual(first, byNumber);
  assert.equal(proxy.counts.migrationGets, 0, 'nothing watched: no migration read one by one');
  assert.equal(proxy.counts.throttled, 0);
});

test('a bulk cutover of 30 at --concurrency 25, as the real binary: all Succeeded, no MaxListenersExceededWarning', async () => {
  const names = Array.from({ length: 30 }, (_, i) => `Cut${String(i).padStart(2, '0')}`);
  await mapBounded(names, 10, async (name, i) => {
    await upload(sb, 'bulk', sampleChain({ databaseName: name, logs: 1, pages: 1, vlf: 60 + i }).map((f) => ({ fileName: `${name}/${f.fileName}`, bytes: f.bytes })));
    const r = await put(name, 'bulk');
    assert.ok(r.status < 300, JSON.stringify(r.body));
  });
  await waitFor('30 migrations ReadyForCutover', async () => {
    const states = await Promise.all(names.map(async (n) => (await arm(sb, 'GET', migrationPath(sb, n))).body?.properties?.migrationStatus));
    return states.every((s) => s === 'ReadyForCutover') ? true : undefined;
  }, 60_000, 250);
  const args = ['migrate', 'cutover', '--cloud-file', sb.info.cloudFile, '--tail-log-taken', '--target', sb.info.managedInstanceId, ...names.flatMap((n) => ['--database', n]), '--concurrency', '25'];
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, '../../../src/cli/main.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((ok) => child.once('exit', ok));
  assert.equal(code, 0, stdout + stderr);
  assert.doesNotMatch(stderr, /MaxListenersExceededWarning/);
  assert.equal(stdout.match(/^cut over Cut\d\d: Succeeded$/gm)?.length, 30, stdout);
  // The text is sorted by database name.
  assert.deepEqual(stdout.match(/Cut\d\d/g), names);
});
