import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bundledProfile, startTdsServer, type RunningTdsServer } from '../../../sandbox/tds';
import { PASSWORD_ENV } from '../../../src/cli/commands/assess';
import { sqlmig } from '../../support/cli';
import { tempDir } from '../../support/tmp';

const password = randomBytes(12).toString('base64url');
const dir = tempDir();
let server: RunningTdsServer;
let target: string[];
const env = { [PASSWORD_ENV]: password };

before(async () => {
  server = await startTdsServer({ profile: bundledProfile('default'), logins: [{ user: 'migrator', password }] });
  target = ['--server', `127.0.0.1,${server.port}`, '--user', 'migrator', '--trust-server-certificate'];
});
after(() => server.stop());

describe('sqlmig assess', () => {
  test('text summary; exit 1 because databases are blocked', async () => {
    const r = await sqlmig(['assess', ...target], env, dir);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^SQLSRC01 \(SQL Server 2019 15\.0\.4298\.1, Enterprise Edition \(64-bit\)\)/);
    assert.match(r.stdout, /8 databases: 2 ready, 1 with issues, 5 blocked/);
    assert.match(r.stdout, /Warehouse +BLOCKED/);
    assert.match(r.stdout, /BLOCKER {2}MultipleLogFiles: The database has 2 log files/);
    assert.ok(!r.stdout.includes(password) && !r.stderr.includes(password));
  });

  test('--database picks ready ones: exit 0; --json prints one document', async () => {
    const r = await sqlmig(['assess', ...target, '--database', 'Sales', '--database', 'Inventory', '--json'], env, dir);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.format, 'sqlmig-assessment');
    assert.deepEqual(doc.databases.map((d: { name: string; readiness: string }) => `${d.name}:${d.readiness}`), ['Sales:ready', 'Inventory:ready']);
  });

  test('--html, --csv and --save write files; --import converts a saved report', async () => {
    const html = join(dir, 'report.html');
    const csv = join(dir, 'report.csv');
    const saved = join(dir, 'report.json');
    const r = await sqlmig(['assess', ...target, '--tier', 'bc', '--html', 'report.html', '--csv', 'report.csv', '--save', 'report.json'], env, dir);
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`Wrote ${html.replace(/[\\.]/g, '\\$&')}`));
    assert.match(readFileSync(html, 'utf8'), /Business Critical/);
    assert.match(readFileSync(csv, 'utf8'), /^Server,Database,Readiness/);
    const again = await sqlmig(['assess', '--import', 'report.json', '--csv', 'again.csv'], {}, dir);
    assert.equal(again.code, 1);
    assert.equal(readFileSync(join(dir, 'again.csv'), 'utf8'), readFileSync(csv, 'utf8'));
    assert.match(again.stdout, /Target: Azure SQL Managed Instance, Business Critical/);
    assert.ok(saved);
  });

  test('a corrupt import says what is wrong', async () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ format: 'sqlmig-assessment', formatVersion: 1, createdAt: 'x', roundTrips: 1, server: { name: 'a', productVersion: '1' }, target: { tier: 'gp' } }));
    const r = await sqlmig(['assess', '--import', 'bad.json'], {}, dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.json is not a sqlmig assessment report: target\.tier should be one of general-purpose/);
  });

  test('no password: usage error naming the variable; passwords are never an option', async () => {
    const r = await sqlmig(['assess', ...target], {}, dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`no password: set ${PASSWORD_ENV}`));
    const flag = await sqlmig(['assess', ...target, '--password', 'x'], env, dir);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /Unknown option '--password'/);
  });

  test('a wrong password: exit 1 with the login-failed advice', async () => {
    const r = await sqlmig(['assess', ...target], { [PASSWORD_ENV]: 'not-the-password' }, dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Login to 127\.0\.0\.1,\d+ as migrator failed \(SQL Server error 18456\)/);
    assert.ok(!r.stderr.includes('not-the-password'));
  });

  test('usage errors: bad tier, bad server, unknown database', async () => {
    const tier = await sqlmig(['assess', ...target, '--tier', 'platinum'], env, dir);
    assert.equal(tier.code, 2);
    assert.match(tier.stderr, /unknown service tier "platinum"/);
    const srv = await sqlmig(['assess', '--server', 'host,99999', '--user', 'u'], env, dir);
    assert.equal(srv.code, 2);
    assert.match(srv.stderr, /port after the comma must be a number from 1 to 65535/);
    const db = await sqlmig(['assess', ...target, '--database', 'Nope'], env, dir);
    assert.equal(db.code, 1);
    assert.match(db.stderr, /no user database named "Nope"/);
  });

  test('help lists the command', async () => {
    const r = await sqlmig(['help', 'assess']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: sqlmig assess \(--server HOST\[,PORT\]\.\.\. \| --servers FILE\)/);
    assert.match(r.stdout, new RegExp(PASSWORD_ENV));
  });
});
