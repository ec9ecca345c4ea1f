/**
 * Every example in `sqlmig help <command>` works against the local sandbox as printed: the
 * examples are read from the help text and run, in the order a DBA would, with the sandbox's
 * data folder and the sample backups where the help says they are.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { sampleChain, writeChain } from '../../../sandbox/backups/sampleChain';
import type { Sandbox } from '../../../sandbox/sandbox';
import { commands } from '../../../src/cli/commands';
import { sqlmig, type CliResult } from '../../support/cli';
import { tempDir } from '../../support/tmp';
import { cliSandbox, secrets, status, waitFor } from '../migration/support';

const data = tempDir('sqlmig-sandbox-');
const backups = tempDir('sqlmig-backups-');
let sb: Sandbox;
before(async () => {
  sb = await cliSandbox({ dataDir: data });
  // What `npm run demo:scan -- --out /tmp/sqlmig-backups` writes for Sales.
  await writeChain(join(backups, 'Sales'), sampleChain({ databaseName: 'Sales', logs: 4, differentialAfterLog: 2, vlf: 41 }));
});
after(() => sb?.stop());

/** The example lines of a command's help, continuations joined, paths moved to this test's folders. */
async function examples(words: string): Promise<string[][]> {
  const help = (await sqlmig(['help', ...words.split(' ')])).stdout;
  const section = /Example against the local sandbox[^\n]*?(?:\n\([^\n]*)?Then:\n((?: {2}[^\n]*\n?)+)/.exec(help);
  assert.ok(section, `sqlmig help ${words} has an example against the sandbox`);
  const vars = new Map<string, string>();
  const out: string[][] = [];
  const lines = section[1]!.replace(/ \\\n\s+/g, ' ').split('\n').map((l) => l.trim()).filter(Boolean);
  for (const line of lines) {
    const assign = /^(\w+)=(\S+)$/.exec(line);
    if (assign) {
      vars.set(assign[1]!, assign[2]!);
      continue;
    }
    if (!line.startsWith('sqlmig ')) continue; // shell steps (read, the sandbox's runtime) are run by the test itself
    const expanded = line.replace(/\$(\w+)/g, (_, v: string) => vars.get(v) ?? `$${v}`).replaceAll('/tmp/sqlmig-sandbox', data).replaceAll('/tmp/sqlmig-backups', backups);
    out.push(expanded.split(/\s+/).slice(1));
  }
  assert.ok(out.length, `sqlmig help ${words}: no sqlmig command in its example`);
  return out;
}

async function run(words: string, expect: number, env: NodeJS.ProcessEnv = {}, which = 0): Promise<CliResult> {
  const args = (await examples(words))[which]!;
  const r = await sqlmig(args, env);
  assert.equal(r.code, expect, `sqlmig ${args.join(' ')}\n${r.stdout}${r.stderr}`);
  return r;
}

test('every Azure command\'s help shows an example against the sandbox', () => {
  const without = commands.filter((c) => !c.help.includes('Example against the local sandbox')).map((c) => c.name.join(' '));
  assert.deepEqual(without, ['discover', 'assess', 'backups scan'], 'only the commands that need no Azure');
});

test('the examples run as printed: clouds, targets, the service and its runtime, upload, start, status, cancel, delete, cutover', async () => {
  assert.match((await run('clouds', 0)).stdout, /sandbox/);
  assert.match((await run('targets list', 0)).stdout, /sqlmi-sandbox/);
  assert.match((await run('dms show', 1)).stdout, /NeedRegistration/);
  await run('dms keys', 0);
  // The example's next line: the sandbox's integration runtime, registered with the keys file.
  const ir = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, '../../../sandbox/ir/main.ts'), '--auth-key-file', join(data, 'ir-keys.json')], { stdio: 'ignore' });
  try {
    await waitFor('the runtime online', async () => ((await sqlmig((await examples('dms show'))[0]!)).code === 0 ? true : undefined), 30_000, 200);
    assert.match((await run('dms nodes', 0)).stdout, /CPU %/);
    await run('dms regenerate-key', 0); // authKey2: the runtime registered with authKey1 stays online
    await run('dms create', 0);
    await run('backups upload', 0);
    const env = secrets();
    assert.match((await run('migrate start', 0, env)).stdout, /started {2}Sales -> Sales/);
    assert.match((await run('migrate status', 0)).stdout, /Sales/);
    const watch = (await examples('migrate status'))[1]!;
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 500);
    const watched = await sqlmig(watch, {}, process.cwd(), { signal: stop.signal });
    assert.notEqual(watched.code, 2, watched.stderr);
    assert.match(watched.stdout, /Sales +(InProgress|ReadyForCutover)/);
    await run('migrate cancel', 0);
    await run('migrate delete', 0);
    await run('migrate start', 0, env);
    await waitFor('ReadyForCutover', async () => ((await status(sb, 'Sales')).status === 'ReadyForCutover' ? true : undefined));
    assert.match((await run('migrate cutover', 0)).stdout, /cut over Sales/);
  } finally {
    const exited = new Promise((r) => ir.once('exit', r));
    ir.kill('SIGTERM');
    await exited;
  }
});
