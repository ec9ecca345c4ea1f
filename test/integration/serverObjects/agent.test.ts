/** Agent jobs (supported and unsupported steps), operators, linked servers, credentials and Database Mail: scripted from the sandbox source, applied to its managed instance. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { applyScript, parseScript, readServerObjects, scriptServerObjects, scriptText } from '../../../src/core/serverObjects';
import { restoredCopy, startPair, type Pair } from './support';

let pair: Pair;
before(async () => {
  pair = await startPair();
});
after(() => pair?.stop());

test('script, review (fill in secrets), apply object by object: created, refused, skipped, failed with the server\'s message', async () => {
  const s = await pair.connectSource();
  const t = await pair.connectTarget();
  try {
    const script = scriptServerObjects(await readServerObjects(s));
    const unsupported = script.unsupported.map((u) => `${u.kind}:${u.name}`);
    assert.ok(unsupported.includes('job:Nightly export') && unsupported.includes('job-step:Nightly export / step 1 "Export to files"'), 'CmdExec and PowerShell jobs are listed, not scripted');
    assert.ok(unsupported.includes('job:Replication and cubes') && unsupported.includes('linked-server:ORAFIN') && unsupported.includes('alert:Severity 017'));
    assert.ok(unsupported.includes('schedule:Index maintenance / schedule "When idle"'));
    let text = scriptText(script, 'SQLSRC01');
    assert.ok(!/sqlalerts-secret|report_reader-secret/.test(text), 'no secret is in the script: they are never read');

    // First apply as generated: objects with placeholders are refused, nothing of them is sent.
    const first = await applyScript(t, parseScript(text));
    const status = (r: typeof first) => Object.fromEntries(r.map((x) => [`${x.kind}:${x.name}`, x.status]));
    assert.deepEqual(status(first), {
      'mail-account:DBA Mail': 'refused', 'mail-profile:DBA Profile': 'failed', 'operator:DBA Team': 'created', 'credential:BlobBackups': 'refused',
      'linked-server:REPORTSRV': 'refused', 'job:Full backups': 'created', 'job:Purge old exports': 'created', 'job:Index maintenance': 'failed',
    });
    assert.match(first.find((r) => r.name === 'Index maintenance')!.message!, /@database_name \('Sales'\) does not exist/);
    assert.ok(!pair.mi.batches.some((b) => b.includes('<FILL IN')), 'a placeholder never reaches the server');

    // The user fills in the secrets; Sales is restored; apply again: what exists is skipped, the rest is created.
    text = text.replace(/<FILL IN: password of mail account DBA Mail[^>]*>/, 'sqlalerts-secret')
      .replace(/<FILL IN: the shared access signature[^>]*>/, 'sv=2024&sig=abc')
      .replace(/<FILL IN: password of report_reader[^>]*>/, 'report_reader-secret');
    pair.restored.push(restoredCopy(pair.profile, 'Sales'));
    await t.query({ id: 'ddl', text: `CREATE LOGIN [app_reader] WITH PASSWORD = 0x0200${'00'.repeat(68)} HASHED;` });
    const second = await applyScript(t, parseScript(text));
    assert.deepEqual(status(second), {
      'mail-account:DBA Mail': 'created', 'mail-profile:DBA Profile': 'created', 'operator:DBA Team': 'skipped', 'credential:BlobBackups': 'created',
      'linked-server:REPORTSRV': 'created', 'job:Full backups': 'skipped', 'job:Purge old exports': 'skipped', 'job:Index maintenance': 'created',
    });
    const job = pair.mi.state.jobs.get('index maintenance')!;
    assert.deepEqual([job.steps.map((x) => x.subsystem), job.schedules, job.servers], [['TSQL'], ['Sundays 02:00'], ['(local)']]);
    assert.equal(pair.mi.state.jobs.get('full backups')!.steps[0]!.command, "BACKUP DATABASE Sales TO DISK = N'D:\\Backups\\Sales.bak' WITH INIT, CHECKSUM");
    assert.deepEqual(pair.mi.state.mailProfiles.get('dba profile')!.accounts, ['DBA Mail']);
  } finally {
    await Promise.all([s.close(), t.close()]);
  }
});

test('a failure\'s message never carries a filled-in secret', async () => {
  const t = await pair.connectTarget();
  try {
    const [r] = await applyScript(t, parseScript([
      '-- sqlmig:object linked-server "NOWHERE"',
      "BEGIN TRANSACTION;\nEXEC master.dbo.sp_addlinkedsrvlogin @rmtsrvname = N'NOWHERE', @useself = N'False', @rmtuser = N'u', @rmtpassword = N'Sup3r-s3cret!';\nCOMMIT TRANSACTION;",
      'GO',
    ].join('\n')));
    assert.equal(r!.status, 'failed');
    assert.ok(!r!.message!.includes('Sup3r-s3cret!'));
  } finally {
    await t.close();
  }
});
