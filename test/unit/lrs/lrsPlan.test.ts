/** A Log Replay Service plan: the naming rules of every plan, the LRS rules over checked chains, and the requests it sends. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChainReport } from '../../../src/core/migration/chainCheck';
import { vetLrsPlan } from '../../../src/core/migration/lrsChecks';
import { lrsTags, validateLrsPlan, type LrsPlanInput } from '../../../src/core/migration/lrsPlan';
import { toRestoreRequest } from '../../../src/core/migration/lrsRun';
import { PlanError } from '../../../src/core/migration/plan';
import type { LocationEntry } from '../../../src/core/upload/location';

const MI = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/managedInstances/mi';
const SA = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct';
const input = (over: Partial<LrsPlanInput> = {}): LrsPlanInput => ({
  targetInstanceId: MI,
  targetLocation: 'eastus',
  collation: 'SQL_Latin1_General_CP1_CI_AS',
  mode: 'continuous',
  backup: { kind: 'blob', storageAccountId: SA, container: 'backups' },
  access: 'sas',
  databases: [{ source: 'Sales' }, { source: 'HR', target: 'HumanResources', folder: 'hr' }],
  ...over,
});
const now = new Date('2026-11-01T00:00:00Z');
const SAS = 'sv=2024-08-04&sr=c&sp=rl&se=2027-01-01T00:00:00Z&sig=c2ln';

test('a plan: one folder per database, the targets, the restores ids', () => {
  const plan = validateLrsPlan(input());
  assert.equal(plan.mode, 'online', 'continuous is checked as an online migration');
  assert.deepEqual(plan.planned.map((p) => [p.source, p.target, p.folder, p.migrationId]), [
    ['Sales', 'Sales', 'Sales', `${MI}/databases/Sales`],
    ['HR', 'HumanResources', 'hr', `${MI}/databases/HumanResources`],
  ]);
  assert.equal(validateLrsPlan(input({ mode: 'autocomplete' })).mode, 'offline');
});

test('every problem at once, each saying what to do', () => {
  const err = (() => {
    try {
      validateLrsPlan(input({
        mode: 'continuous',
        backup: { kind: 'upload', storageAccountId: 'nope', container: 'backup' },
        collation: '',
        databases: [{ source: 'Sales', folder: 'shared', lastBackupName: 'x.trn' }, { source: 'HR', folder: 'shared/inner' }, { source: 'Ops', target: 'master', folder: 'shared' }, { source: 'Sales' }],
        existingTargetDatabases: ['HR'],
      }));
    } catch (e) {
      return e as PlanError;
    }
    throw new Error('no error');
  })();
  assert.ok(err instanceof PlanError);
  const all = err.problems.join('\n');
  assert.match(all, /the storage account: not an Azure resource id/);
  assert.match(all, /the container name "backup" is reserved on SQL Managed Instance/);
  assert.match(all, /the restore needs a collation/);
  assert.match(all, /Sales: a last backup file is only for autocomplete restores/);
  assert.match(all, /HR: the blob folder must be a single folder name directly in the container/);
  assert.match(all, /Ops and Sales would share the blob folder "shared": the Log Replay Service needs one folder per database/);
  assert.match(all, /"master" is a system database name/);
  assert.match(all, /a database named HR already exists on the target instance/);
  assert.match(all, /source database Sales is listed twice/);
  assert.match(all, /upload mode needs the local folder holding its backups/);
  assert.throws(() => validateLrsPlan(input({ mode: 'autocomplete', databases: [{ source: 'S', lastBackupName: 'S_LOG_é.trn' }] })), /printable ASCII/);
});

test('the requests: where to read, how, and the tags that find it again; the token only with a SAS', () => {
  const plan = validateLrsPlan(input({ mode: 'autocomplete' }));
  const db = { ...plan.planned[0]!, lastBackupName: 'Sales_LOG_003.trn' };
  const req = toRestoreRequest(plan, db, { blobEndpoint: 'https://acct.blob.core.windows.net/', sasToken: SAS });
  assert.deepEqual(req, {
    location: 'eastus',
    collation: 'SQL_Latin1_General_CP1_CI_AS',
    storageContainerUri: 'https://acct.blob.core.windows.net/backups/Sales',
    identity: 'SharedAccessSignature',
    sasToken: SAS,
    lastBackupName: 'Sales_LOG_003.trn',
    tags: lrsTags(plan, db),
  });
  assert.deepEqual(lrsTags(plan, db), {
    'sqlmig-lrs-source': 'Sales', 'sqlmig-lrs-storage-account': SA, 'sqlmig-lrs-folder': 'backups/Sales', 'sqlmig-lrs-mode': 'autocomplete', 'sqlmig-lrs-access': 'SharedAccessSignature', 'sqlmig-lrs-last-backup': 'Sales_LOG_003.trn',
  });
  const mi = toRestoreRequest(validateLrsPlan(input({ access: 'managedIdentity' })), plan.planned[0]!, { blobEndpoint: 'https://acct.blob.core.windows.net', sasToken: SAS });
  assert.equal(mi.identity, 'ManagedIdentity');
  assert.equal(mi.sasToken, undefined);
  assert.equal(mi.lastBackupName, undefined, 'continuous');
});

const entry = (name: string, e: Partial<LocationEntry> = {}): LocationEntry => ({ name, ours: false, nested: false, database: 'Sales', familyGuid: 'F', size: 1, ...e });
const report = (r: Partial<ChainReport> = {}): ChainReport => ({ source: 'Sales', folder: 'Sales', problems: [], warnings: [], ...r });

test('the LRS rules over checked chains: FULL recovery, SQL Server 2008 or later, autocomplete ends at the chain\'s end', () => {
  const plan = validateLrsPlan(input({ mode: 'autocomplete', databases: [{ source: 'Sales' }] }));
  const warnings: string[] = [];
  const chains = [
    report({ entries: [entry('a.bak', { recoveryModel: 'BULK_LOGGED', softwareVersionMajor: 9, lastLsn: 10n })], lastBackupName: 'a.bak' }),
    report({ source: 'Auto', folder: 'Auto', entries: [entry('f.bak', { database: 'Auto', lastLsn: 10n, recoveryModel: 'FULL' }), entry('l1.trn', { database: 'Auto', lastLsn: 20n }), entry('l2.trn', { database: 'Auto', lastLsn: 30n })], lastBackupName: 'l1.trn' }),
    report({ source: 'Empty', folder: 'Empty', entries: [] }),
  ];
  const problems = vetLrsPlan(chains, { plan, instance: { name: 'mi' }, sasToken: SAS, now }, warnings);
  assert.deepEqual(problems, []);
  assert.match(chains[0]!.refusal!.join('\n'), /BULK_LOGGED recovery model: the Log Replay Service restores databases in the FULL recovery model only; run ALTER DATABASE \[Sales\] SET RECOVERY FULL/);
  assert.match(chains[0]!.refusal!.join('\n'), /written by SQL Server 2005: the Log Replay Service restores backups of SQL Server 2008 or later/);
  assert.match(chains[1]!.refusal![0]!, /l2\.trn in Auto\/ continues the database past l1\.trn, the last backup of this autocomplete restore, and the Log Replay Service fails an autocomplete restore on a later backup/);
  assert.match(chains[2]!.refusal![0]!, /an autocomplete restore needs the whole chain in Empty\/ before it starts/);
  assert.match(warnings.join('\n'), /runs at most 30 days \(until 2026-12-01\)/);
});

test('the plan as a whole: the token, the identity, the restores an instance runs at once', () => {
  const plan = validateLrsPlan(input());
  const w: string[] = [];
  assert.match(vetLrsPlan([], { plan, instance: { name: 'mi' }, sasToken: SAS.replace('sp=rl', 'sp=rlw'), now }, w)[0]!, /grants more than Read and List \(Write\)/);
  assert.match(vetLrsPlan([], { plan, instance: { name: 'mi' }, now }, w)[0]!, /no SAS token/);
  assert.match(vetLrsPlan([], { plan, instance: { name: 'mi' }, sasToken: SAS, now, expectedDays: 90 }, w)[0]!, /expires on 2027-01-01T00:00:00Z, before the restore is expected to end/);
  const mi = validateLrsPlan(input({ access: 'managedIdentity' }));
  assert.match(vetLrsPlan([], { plan: mi, instance: { name: 'mi' }, now }, [])[0]!, /managed instance mi has no managed identity .*az sql mi update --resource-group rg --name mi --assign-identity.*or read the container with a SAS token/);
  const warnings: string[] = [];
  assert.deepEqual(vetLrsPlan([], { plan: mi, instance: { name: 'mi', identity: { type: 'SystemAssigned', principalId: 'p-1' } }, restoringOnInstance: 99, now }, warnings), []);
  assert.match(warnings.join('\n'), /az role assignment create --assignee p-1 --role "Storage Blob Data Reader" --scope \/subscriptions\/s\/resourceGroups\/rg\/providers\/Microsoft\.Storage\/storageAccounts\/acct/);
  assert.match(warnings.join('\n'), /2 restores beside the 99 already running on mi make 101: an instance runs at most 100 Log Replay Service restores at once/);
  assert.match(warnings.join('\n'), /complete these by 2026-12-01 \(sqlmig log-replay complete\), or the service stops them/);
});

test('the instance\'s room counts what other plans of the same start put on it', () => {
  const sixty = Array.from({ length: 60 }, (_, i) => ({ source: `db${i}` }));
  assert.doesNotThrow(() => validateLrsPlan(input({ databases: sixty, targetTier: 'general-purpose' })));
  assert.throws(() => validateLrsPlan(input({ databases: sixty, targetTier: 'general-purpose', alsoPlannedOnTarget: 50 })), (e: unknown) => {
    assert.ok(e instanceof PlanError);
    assert.match(e.problems.join('\n'), /60 databases beside the 50 already on the instance: .* holds at most 100, so it has room for 50/);
    return true;
  });
});
