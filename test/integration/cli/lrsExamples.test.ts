/**
 * The examples in `sqlmig help log-replay ...` work against the local sandbox as printed: start,
 * status, complete, then stop (refused: the database is online by then).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sampleChain, writeChain } from '../../../sandbox/backups/sampleChain';
import type { Sandbox } from '../../../sandbox/sandbox';
import { sqlmig } from '../../support/cli';
import { tempDir } from '../../support/tmp';
import { lrsStatus } from '../migration/lrsSupport';
import { cliSandbox, waitFor } from '../migration/support';

const data = tempDir('sqlmig-sandbox-');
const backups = tempDir('sqlmig-backups-');
let sb: Sandbox;
before(async () => {
  sb = await cliSandbox({ dataDir: data });
  await writeChain(join(backups, 'Sales'), sampleChain({ databaseName: 'Sales', logs: 2, vlf: 141 }));
});
after(() => sb?.stop());

/** The sqlmig lines of a command's sandbox example, variables expanded, paths moved to this test's folders. */
async function examples(words: string): Promise<string[][]> {
  const help = (await sqlmig(['help', ...words.split(' ')])).stdout;
  const section = /Example against the local sandbox[^\n]*?(?:\n\([^\n]*)?Then:\n((?: {2}[^\n]*\n?)+)/.exec(help);
  assert.ok(section, `sqlmig help ${words} has an example against the sandbox`);
  const vars = new Map<string, string>();
  const out: string[][] = [];
  for (const line of section[1]!.replace(/ \\\n\s+/g, ' ').split('\n').map((l) => l.trim()).filter(Boolean)) {
    const assign = /^(\w+)=(\S+)$/.exec(line);
    if (assign) vars.set(assign[1]!, assign[2]!);
    else if (line.startsWith('sqlmig ')) {
      out.push(line.replace(/\$(\w+)/g, (_, v: string) => vars.get(v) ?? `$${v}`).replaceAll('/tmp/sqlmig-sandbox', data).replaceAll('/tmp/sqlmig-backups', backups).split(/\s+/).slice(1));
    }
  }
  return out;
}

test('the log-replay examples run as printed', async () => {
  const run = async (words: string, expect: number, which = 0) => {
    const args = (await examples(words))[which]!;
    const r = await sqlmig(args);
    assert.equal(r.code, expect, `sqlmig ${args.join(' ')}\n${r.stdout}${r.stderr}`);
    return r;
  };
  assert.match((await run('log-replay start', 0)).stdout, /started {2}Sales -> SalesReplay {2}Restoring/);
  assert.match((await run('log-replay status', 0)).stdout, /SalesReplay +Sales +\w+ +continuous/);
  await waitFor('ready to complete', async () => ((await lrsStatus(sb, 'SalesReplay')).status === 'ReadyForCutover' ? true : undefined));
  const watch = (await examples('log-replay status'))[1]!;
  assert.ok(watch.includes('--watch'));
  assert.match((await run('log-replay complete', 0)).stdout, /completed SalesReplay: Succeeded, the database is online/);
  assert.match((await sqlmig(watch)).stdout, /SalesReplay: Succeeded/, 'the watch example ends once the restore has');
  assert.match((await run('log-replay stop', 1)).stdout, /REFUSED SalesReplay\n {2}the database is online/);
});
