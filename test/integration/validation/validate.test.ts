/**
 * Post-migration validation against the sandbox: the source server and the managed instance
 * holding restored copies of its databases (their content, users and workload). A faithful copy
 * passes; a copy missing rows fails, naming the table, the counts and the partition.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { bundledProfile, startManagedInstanceServer, startTdsServer, type RunningManagedInstance, type RunningTdsServer, type TableDrift } from '../../../sandbox/tds';
import { restoredDatabase } from '../../../sandbox/targetServer';
import { connectSource, connectTarget, type SourceConnection, type TargetConnection } from '../../../src/core/source';
import { validateDatabases } from '../../../src/core/sizingApi';
import { formatValidation, validateDatabase, validationToHtml } from '../../../src/core/validation';

const profile = bundledProfile('default');
const password = randomBytes(12).toString('base64url');
let source: RunningTdsServer;
let mi: RunningManagedInstance;
let src: SourceConnection;
let tgt: TargetConnection;
const drift: TableDrift[] = [];

before(async () => {
  source = await startTdsServer({ profile, logins: [{ user: 'migrator', password }] });
  mi = await startManagedInstanceServer({
    name: 'sqlmi-sandbox', hostName: 'sqlmi-sandbox.sandbox.localhost', admin: { user: 'sqladmin', password },
    databases: () => ['Sales', 'Inventory', 'Reporting', 'Payroll', 'LegacyApp'].map((n) => restoredDatabase(n, n, profile)),
    drift: () => drift,
  });
  src = await connectSource({ server: `127.0.0.1,${source.port}`, auth: { kind: 'sql', user: 'migrator', password }, trustServerCertificate: true });
  tgt = await connectTarget({ server: `127.0.0.1,${mi.port}`, auth: { kind: 'sql', user: 'sqladmin', password }, trustedCertificates: mi.certificate!, hostNameInCertificate: 'sqlmi-sandbox.sandbox.localhost' });
});
after(async () => {
  await Promise.all([src?.close(), tgt?.close()]);
  await Promise.all([source?.stop(), mi?.stop()]);
});

test('a faithful copy passes every check; large tables are sampled by key, the method is stated', async () => {
  drift.length = 0;
  const before = [...mi.batches];
  const r = await validateDatabase(src, tgt, { database: 'Sales' });
  assert.equal(r.passed, true, formatValidation(r));
  assert.deepEqual(r.checks.map((c) => [c.id, c.status]), [
    ['objects', 'pass'], ['rowCounts', 'pass'], ['checksums', 'pass'], ['compatibilityLevel', 'pass'], ['options', 'pass'], ['users', 'pass'], ['tde', 'pass'],
  ]);
  const orders = r.tables.find((t) => t.table === 'dbo.Orders')!;
  assert.deepEqual([orders.sourceRows, orders.targetRows, orders.countMethod, orders.checksum, orders.checksumMethod], [2_400_000, 2_400_000, 'metadata', 'match', 'head']);
  const customers = r.tables.find((t) => t.table === 'dbo.Customers')!;
  assert.deepEqual([customers.sourceRows, customers.countMethod, customers.checksumMethod], [48_250, 'exact', 'full']);
  const staging = r.tables.find((t) => t.table === 'dbo.ImportStaging')!;
  assert.equal(staging.checksum, 'match'); // a small heap is checksummed whole
  assert.match(r.method.checksums, /whole table up to 100,000 rows; above that over the first and last 1,000 rows in clustered key order/);
  // Recovery model: the instance keeps FULL; listed as expected, not a failure.
  assert.equal(r.roundTrips.source, 6); // properties, options, objects, tables, users, one checksum batch
  assert.equal(r.roundTrips.target, 6);
  // Read-only on the target: nothing but the product's queries.
  assert.ok(mi.batches.slice(before.length).every((b) => /^\/\* sqlmig:(server\.properties|validate\.)/.test(b)));
  assert.match(validationToHtml(r), /<h1>Sales <span class="badge ready">pass<\/span><\/h1>/);
});

test('rows missing from a copy fail the validation, naming the table, the counts and the partition', async () => {
  drift.splice(0, drift.length, { database: 'Sales', table: 'dbo.Orders', missingRows: 3 }, { database: 'Sales', table: 'Customers', changedRows: 2 });
  const r = await validateDatabase(src, tgt, { database: 'Sales' });
  assert.equal(r.passed, false);
  const counts = r.checks.find((c) => c.id === 'rowCounts')!;
  assert.equal(counts.status, 'fail');
  assert.deepEqual(counts.differences.map((d) => [d.item, d.source, d.target]), [['dbo.Orders', 2_400_000, 2_399_997]]);
  assert.match(counts.differences[0]!.note!, /3 rows fewer on the target \(sys\.partitions\); partition 4: 600,000 -> 599,997/);
  const sums = r.checks.find((c) => c.id === 'checksums')!;
  assert.deepEqual(sums.differences.map((d) => d.item).sort(), ['dbo.Customers', 'dbo.Orders']); // Orders: its last rows; Customers: 2 rows changed, same count
  const text = formatValidation(r);
  assert.match(text, /FAIL/);
  assert.match(text, /dbo\.Orders\s+2,400,000\s+2,399,997/);
  assert.match(validationToHtml(r), /<span class="badge blocked">fail<\/span>/);
});

test('what Managed Instance changes is expected, what the migration lost is not: users without a login, compatibility 90 -> 100, TDE', async () => {
  drift.length = 0;
  const reporting = await validateDatabase(src, tgt, { database: 'Reporting' });
  const users = reporting.checks.find((c) => c.id === 'users')!;
  // The instance has no logins yet (sqlmig logins apply creates them): the users lost theirs; old_etl had none on the source.
  assert.equal(users.status, 'fail');
  assert.deepEqual(users.differences.map((d) => d.item).sort(), ['CONTOSO\\Report Readers', 'ann', 'report_svc']);
  assert.deepEqual(users.expected.map((d) => d.item), ['old_etl']);
  const legacy = await validateDatabase(src, tgt, { database: 'LegacyApp' });
  const compat = legacy.checks.find((c) => c.id === 'compatibilityLevel')!;
  assert.equal(compat.status, 'pass');
  assert.match(compat.summary, /90 on the source, raised to 100/);
  const options = legacy.checks.find((c) => c.id === 'options')!;
  assert.deepEqual(options.expected.map((d) => [d.item, d.source, d.target]), [['recovery_model_desc', 'SIMPLE', 'FULL']]);
  const payroll = await validateDatabase(src, tgt, { database: 'Payroll' });
  assert.equal(payroll.checks.find((c) => c.id === 'tde')!.summary, 'encrypted on both sides');
});

test('a database the target does not have is an error that says so', async () => {
  await assert.rejects(validateDatabase(src, tgt, { database: 'DocumentStore' }), /has no database named DocumentStore/);
});

test('validateDatabases, as the dashboard calls it: each result as it comes, a missing one reported, not thrown', async () => {
  drift.length = 0;
  const seen: string[] = [];
  const results = await validateDatabases(src, tgt, [{ name: 'Inventory' }, { name: 'DocumentStore' }], { onResult: (r) => seen.push(r.database) });
  assert.deepEqual(seen, ['Inventory', 'DocumentStore']);
  assert.equal(results[0]!.report!.passed, true);
  assert.match(results[0]!.html!, /<h1>Inventory/);
  assert.match(results[1]!.error!, /no database named DocumentStore/);
});
