/**
 * The editor's Validate and Compare Baseline (services/validation.ts) against the sandbox's SQL
 * Server stand-in and managed instance over real TDS: a faithful copy passes, a copy missing rows
 * fails naming the table; the instance's workload is captured and compared with the source's
 * baseline; the reports open as HTML under a CSP that runs nothing; the passwords are only used.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { bundledProfile, startManagedInstanceServer, startTdsServer, type RunningManagedInstance, type RunningTdsServer, type TableDrift } from '../../../sandbox/tds';
import { restoredDatabase } from '../../../sandbox/targetServer';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { captureBaseline } from '../../../src/core/validation';
import { connectSource } from '../../../src/core/source';
import { compareWithBaseline, validateMigrated, type ValidationRequest } from '../../../src/extension/services/validation';
import { tempDir } from '../../support/tmp';
import { testClock } from '../sizing/support';

const profile = bundledProfile('default');
const password = randomBytes(12).toString('base64url');
const signal = new AbortController().signal;
let source: RunningTdsServer;
let mi: RunningManagedInstance;
const drift: TableDrift[] = [];
const sourceClock = testClock('2026-11-03T13:40:00Z');
const targetClock = testClock('2026-11-10T13:40:00Z');

before(async () => {
  source = await startTdsServer({ profile, logins: [{ user: 'migrator', password }], now: sourceClock.now });
  mi = await startManagedInstanceServer({
    name: 'sqlmi-sandbox', hostName: 'sqlmi-sandbox.sandbox.localhost', admin: { user: 'sqladmin', password },
    databases: () => ['Sales'].map((n) => restoredDatabase(n, n, profile)),
    drift: () => drift,
    clock: targetClock.now,
  });
});
after(async () => {
  await Promise.all([source?.stop(), mi?.stop()]);
});

const request = (): ValidationRequest => ({
  source: { server: `127.0.0.1,${source.port}`, authentication: 'SqlAuthentication', userName: 'migrator', encrypt: 'mandatory', trustServerCertificate: true },
  sourceSecret: password,
  target: { server: `127.0.0.1,${mi.port}`, user: 'sqladmin', password, trustedCertificates: mi.certificate!, hostNameInCertificate: 'sqlmi-sandbox.sandbox.localhost' },
  database: 'Sales',
  targetDatabase: 'Sales',
});

test('Validate: a faithful copy passes, the report is HTML that runs nothing', async () => {
  drift.length = 0;
  const r = await validateMigrated(request(), signal);
  assert.equal(r.passed, true, r.summary);
  assert.match(r.html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">/);
  assert.match(r.html, /<h1>Sales <span class="badge ready">pass<\/span><\/h1>/);
  assert.ok(!r.html.includes(password), 'no password in the report');
});

test('Validate: rows missing on the target fail it, naming the table', async () => {
  drift.splice(0, drift.length, { database: 'Sales', table: 'dbo.Orders', missingRows: 3 });
  const r = await validateMigrated(request(), signal);
  assert.equal(r.passed, false);
  assert.match(r.html, /dbo\.Orders/);
  assert.match(r.html, /<span class="badge blocked">fail<\/span>/);
});

test('Compare Baseline: the instance\'s workload captured beside the source\'s baseline and compared, as HTML', async () => {
  drift.length = 0;
  const beforeFolder = tempDir('sqlmig-baseline-');
  const src = await connectSource({ server: `127.0.0.1,${source.port}`, auth: { kind: 'sql', user: 'migrator', password }, trustServerCertificate: true });
  try {
    await captureBaseline(src, { folder: beforeFolder, label: 'source', intervalSec: 30, durationSec: 600, sleep: sourceClock.sleep, now: sourceClock.now });
  } finally {
    await src.close();
  }
  const afterFolder = join(tempDir('sqlmig-baseline-'), 'target');
  const fractions: number[] = [];
  const r = await compareWithBaseline({ target: request().target, beforeFolder, afterFolder, durationSec: 600, intervalSec: 30, sleep: targetClock.sleep, now: targetClock.now }, signal, (f) => fractions.push(f));
  assert.ok(readdirSync(afterFolder).includes('baseline.json'), 'the target\'s baseline is kept beside');
  assert.equal(fractions.at(-1), 1, 'the progress reaches the end');
  assert.match(r.html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">/);
  assert.match(r.html, /source/);
  assert.match(r.html, /target/);
  assert.equal(r.worse, true, 'the instance\'s slower storage and the regressed report query are found');
  assert.ok(!r.html.includes(password));
});
