/**
 * A network-share migration through the CLI: the migration service's integration runtime (the
 * sandbox's emulator, registered with the keys `sqlmig dms keys` wrote) uploads the share's
 * backups; the runtime goes offline mid-migration and comes back.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sampleChain, writeChain } from '../../../sandbox/backups/sampleChain';
import { IntegrationRuntime } from '../../../sandbox/ir/runtime';
import type { Sandbox } from '../../../sandbox/sandbox';
import { sqlmig } from '../../support/cli';
import { tempDir } from '../../support/tmp';
import { azure, Background, cliSandbox, fileState, migrationId, secrets, startArgs, status, waitFor } from './support';

const SHARE = '\\\\localhost\\sqlbackups';
const SHARE_USER = 'CONTOSO\\backup';
const SHARE_PASSWORD = `share-${randomBytes(9).toString('base64url')}`;
let sb: Sandbox;
const root = tempDir();
before(async () => {
  sb = await cliSandbox({ runtimeHeartbeatMs: 100, profile: { shares: [{ path: SHARE, folder: 'share', username: SHARE_USER, password: SHARE_PASSWORD }] } });
});
after(() => sb?.stop());

const service = () => ['--service', sb.info.migrationServiceId, ...azure(sb)];
const shareStart = (db: string) => startArgs(sb, 'unused', [db], ['--share', `${SHARE}\\${db}`, '--share-user', SHARE_USER]).filter((a, i, all) => a !== '--container' && all[i - 1] !== '--container');

test('network share through the integration runtime: refused until it is registered, uploads and restores, survives the runtime going offline', async () => {
  const env = { ...secrets(), SQLMIG_SHARE_PASSWORD: SHARE_PASSWORD };
  const folder = sb.shareFolder(`${SHARE}\\Payroll`);
  const chain = sampleChain({ databaseName: 'Payroll', logs: 3, vlf: 51 });
  await writeChain(folder, chain.slice(0, 2));

  // No runtime yet: the service refuses, and sqlmig says how to register one.
  const before = await sqlmig(['dms', 'show', ...service()]);
  assert.equal(before.code, 1);
  assert.match(before.stdout, /Integration runtime .*: NeedRegistration, 0 node\(s\)/);
  const refused = await sqlmig(shareStart('Payroll'), env);
  assert.equal(refused.code, 1, refused.stdout + refused.stderr);
  assert.match(refused.stdout, /FAILED {3}Payroll -> Payroll\n {2}.*IntegrationRuntimeIsNotOnline[\s\S]*sqlmig dms keys/);

  // Register the runtime with the key sqlmig wrote to a private file.
  const keyFile = join(root, 'ir-keys.json');
  const keys = await sqlmig(['dms', 'keys', ...service(), '--out', keyFile]);
  assert.equal(keys.code, 0, keys.stderr);
  const ir = await IntegrationRuntime.start({ authKey: JSON.parse(readFileSync(keyFile, 'utf8')).authKey1, nodeName: 'SHIR-PAYROLL' });
  try {
    await waitFor('runtime online', async () => ((await sqlmig(['dms', 'show', ...service()])).code === 0 ? true : undefined));
    const nodes = await sqlmig(['dms', 'nodes', ...service()]);
    assert.equal(nodes.code, 0);
    assert.match(nodes.stdout, /SHIR-PAYROLL/);

    const start = await sqlmig(shareStart('Payroll'), env);
    assert.equal(start.code, 0, start.stdout + start.stderr);
    assert.match(start.stderr, /warning: online from a network share: the integration runtime must stay online until the cutover/);
    const id = migrationId(sb, 'Payroll');
    const watch = new Background(['migrate', 'status', ...azure(sb), '--migration', id, '--watch', '--interval', '0.1']);
    await watch.line(/Payroll .*Payroll_LOG_001\.trn .*Restored/, 'the first log restored');
    assert.equal((await status(sb, 'Payroll')).properties.backupConfiguration.sourceLocation.fileStorageType, 'FileShare');

    // The runtime goes offline: new backups on the share wait, and the watch says why.
    sb.faults.runtimeOffline(true);
    await watch.line(/the integration runtime is Offline: backups on the network share are not uploaded/, 'the runtime offline');
    const offline = await sqlmig(['dms', 'show', ...service()]);
    assert.equal(offline.code, 1);
    assert.match(offline.stdout, /Integration runtime .*: Offline/);
    await writeChain(folder, chain.slice(2));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(fileState(await status(sb, 'Payroll'), 'Payroll_LOG_002.trn'), undefined, 'nothing is uploaded while the runtime is offline');

    sb.faults.runtimeOffline(false);
    await watch.line(/the integration runtime is online again/, 'the runtime back');
    await watch.line(/Payroll_LOG_003\.trn .*Restored/, 'the last log restored');
    const cut = await sqlmig(['migrate', 'cutover', '--tail-log-taken', ...azure(sb), '--migration', id]);
    assert.equal(cut.code, 0, cut.stdout + cut.stderr);
    const done = await watch.done;
    assert.equal(done.code, 0, watch.lines.join('\n'));
    for (const out of [refused, start, done, keys]) {
      assert.ok(!(out.stdout + out.stderr).includes(SHARE_PASSWORD), 'the share password is never printed');
      assert.ok(!(out.stdout + out.stderr).includes(JSON.parse(readFileSync(keyFile, 'utf8')).authKey1), 'the runtime key is never printed');
    }
  } finally {
    await ir.stop();
  }
});
