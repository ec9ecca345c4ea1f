/**
 * A baseline on the sandbox source before the migration, one on the sandbox managed instance
 * after it, and their comparison: the instance's storage is slower (General Purpose latencies),
 * its report query regressed, the rest got a little faster.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bundledProfile, startManagedInstanceServer, startTdsServer, type RunningManagedInstance, type RunningTdsServer } from '../../../sandbox/tds';
import { restoredDatabase } from '../../../sandbox/targetServer';
import { connectSource, connectTarget, type SourceConnection, type TargetConnection } from '../../../src/core/source';
import { baselineComparisonToHtml, captureBaseline, compareBaselines, formatBaselineComparison, loadBaseline } from '../../../src/core/validation';
import { tempDir } from '../../support/tmp';
import { testClock } from '../sizing/support';

const profile = bundledProfile('default');
const password = randomBytes(12).toString('base64url');
const sourceClock = testClock('2026-11-03T13:40:00Z');
const targetClock = testClock('2026-11-10T13:40:00Z');
let source: RunningTdsServer;
let mi: RunningManagedInstance;
let src: SourceConnection;
let tgt: TargetConnection;

before(async () => {
  source = await startTdsServer({ profile, logins: [{ user: 'migrator', password }], now: sourceClock.now });
  mi = await startManagedInstanceServer({
    name: 'sqlmi-sandbox', hostName: 'sqlmi-sandbox.sandbox.localhost', admin: { user: 'sqladmin', password }, clock: targetClock.now,
    databases: () => ['Sales', 'Inventory', 'Payroll'].map((n) => restoredDatabase(n, n, profile)),
  });
  src = await connectSource({ server: `127.0.0.1,${source.port}`, auth: { kind: 'sql', user: 'migrator', password }, trustServerCertificate: true });
  tgt = await connectTarget({ server: `127.0.0.1,${mi.port}`, auth: { kind: 'sql', user: 'sqladmin', password }, trustedCertificates: mi.certificate!, hostNameInCertificate: 'sqlmi-sandbox.sandbox.localhost' });
});
after(async () => {
  await Promise.all([src?.close(), tgt?.close()]);
  await Promise.all([source?.stop(), mi?.stop()]);
});

test('capture before and after, then compare: per metric and per top query, before, after, change', async () => {
  const beforeDir = tempDir('sqlmig-baseline-');
  const afterDir = tempDir('sqlmig-baseline-');
  const b = await captureBaseline(src, { folder: beforeDir, label: 'source', intervalSec: 30, durationSec: 600, sleep: sourceClock.sleep, now: sourceClock.now });
  assert.equal(b.taken, 21);
  assert.deepEqual(b.baseline.queryStoreDatabases, ['Sales']);
  const sales = b.baseline.queries.filter((q) => q.database === 'Sales');
  assert.ok(sales.length >= 4 && sales.every((q) => q.from === 'query-store'));
  assert.ok(b.baseline.queries.some((q) => q.database === 'Inventory' && q.from === 'dmv'));
  const a = await captureBaseline(tgt, { folder: afterDir, label: 'target', intervalSec: 30, durationSec: 600, sleep: targetClock.sleep, now: targetClock.now });
  assert.equal(a.baseline.server, 'sqlmi-sandbox');
  assert.ok(!(await readFile(join(afterDir, 'baseline.json'), 'utf8')).includes(password));

  const c = compareBaselines(await loadBaseline(beforeDir), await loadBaseline(afterDir));
  const metric = (name: string) => c.metrics.find((m) => m.metric === name)!;
  assert.equal(metric('Read latency').verdict, 'worse'); // 4 ms -> 6.5 ms
  assert.ok(Math.abs(metric('Read latency').change! - 0.625) < 0.01);
  assert.equal(metric('Log write latency').verdict, 'worse');
  assert.equal(metric('CPU used').verdict, 'better'); // fewer databases, fewer CPUs busy
  const report = c.queries.find((q) => /daily sales report/.test(q.text))!;
  assert.equal(report.verdict, 'slower');
  assert.ok(Math.abs(report.durationChange! - 0.45) < 0.01); // the sandbox instance runs reports 1.45 times longer
  const lookup = c.queries.find((q) => /WHERE o\.CustomerId = @p0/.test(q.text))!;
  assert.equal(lookup.verdict, 'faster');
  assert.match(c.notes.join(), /different CPU counts \(16 before, 8 after\)/);
  const text = formatBaselineComparison(c);
  assert.match(text, /Read latency \(ms\)\s+4\.00 \/ 4\.0\d\s+6\.50 \/ 6\.50\s+\+63%\s+WORSE/);
  const html = baselineComparisonToHtml(c);
  assert.equal((html.match(/<svg /g) ?? []).length, 6); // the glance, four timelines, the queries
  assert.ok(!/<script/i.test(html) && !/https?:\/\/(?!www\.w3\.org)/.test(html), 'self-contained');
});
