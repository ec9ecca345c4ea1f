/**
 * The logins, tde and server-objects commands, their help's sandbox examples run as printed.
 * It starts the source and the instance on loopback itself, from the pieces the sandbox uses
 * (sandbox/targetServer.ts), so that it controls their logins and databases; the cloud file's
 * sqlEndpoints map SQLSRC01 and the instance's ARM host name to them, as the sandbox's do.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { bundledProfile } from '../../../sandbox/tds';
import { startSourceServer, type SourceServer } from '../../../sandbox/sourceServer';
import { restoredDatabase, sqlEndpointsFor, startTargetServer, type TargetServer } from '../../../sandbox/targetServer';
import type { Sandbox } from '../../../sandbox/sandbox';
import { sqlmig } from '../../support/cli';
import { tempDir } from '../../support/tmp';
import { cliSandbox } from '../migration/support';

const data = tempDir('sqlmig-sandbox-');
let sb: Sandbox;
let source: SourceServer;
let target: TargetServer;
let env: NodeJS.ProcessEnv;

before(async () => {
  sb = await cliSandbox({ dataDir: data, sourceServer: async (o) => (source = await startSourceServer(o)) });
  const profile = bundledProfile('default');
  target = await startTargetServer({ instanceName: 'sqlmi-sandbox', hostName: 'sqlmi-sandbox.sandbox.localhost', databases: () => [restoredDatabase('Reporting', 'Reporting', profile)] });
  const cloud = JSON.parse(readFileSync(sb.info.cloudFile, 'utf8'));
  cloud.sqlEndpoints = sqlEndpointsFor('127.0.0.1', { name: 'SQLSRC01', port: source.port, ...(source.certificate && { certificate: source.certificate }) }, { hostName: 'sqlmi-sandbox.sandbox.localhost', port: target.port, certificate: target.certificate });
  writeFileSync(sb.info.cloudFile, JSON.stringify(cloud), { mode: 0o600 });
  env = { SQLMIG_SOURCE_PASSWORD: source.password, SQLMIG_TARGET_PASSWORD: target.password };
});
after(async () => {
  await target?.stop();
  await sb?.stop();
});

async function example(words: string): Promise<string[]> {
  const help = (await sqlmig(['help', ...words.split(' ')])).stdout;
  const section = /Example against the local sandbox[^\n]*?(?:\n\([^\n]*)?Then:\n((?: {2}[^\n]*\n?)+)/.exec(help);
  assert.ok(section, `sqlmig help ${words} has an example against the sandbox`);
  const vars = new Map<string, string>();
  const lines = section[1]!.replace(/ \\\n\s+/g, ' ').split('\n').map((l) => l.trim()).filter(Boolean);
  for (const line of lines) {
    const assign = /^(\w+)=(\S+)$/.exec(line);
    if (assign) vars.set(assign[1]!, assign[2]!);
    if (!line.startsWith('sqlmig ')) continue;
    return line.replace(/\$(\w+)/g, (_, v: string) => vars.get(v) ?? `$${v}`).replaceAll('/tmp/sqlmig-sandbox', data).split(/\s+/).slice(1);
  }
  assert.fail(`no sqlmig command in the example of ${words}`);
}

async function run(words: string, expect: number) {
  const args = await example(words);
  const r = await sqlmig(args, env);
  assert.equal(r.code, expect, `sqlmig ${args.join(' ')}\n${r.stdout}${r.stderr}`);
  assert.ok(!`${r.stdout}${r.stderr}`.includes(source.password) && !`${r.stdout}${r.stderr}`.includes(target.password), 'no password is printed');
  return r;
}

test('logins plan and apply, as printed in their help', async () => {
  const plan = await run('logins plan', 0);
  assert.match(plan.stdout, /CONTOSO\\ann\.lee +ann\.lee@contoso\.com \(entra-user\) +CREATE/);
  assert.match(plan.stdout, /CONTOSO\\WEB01\$ +SKIP +not valid as a Microsoft Entra login/);
  const applied = await run('logins apply', 0);
  assert.match(applied.stdout, /app_reader +app_reader +CREATED/);
  assert.match(applied.stdout, /Reporting +ann +MAPPED +ann\.lee@contoso\.com/);
  const json = JSON.parse((await sqlmig([...(await example('logins plan')), '--json'], env)).stdout);
  assert.ok(json.logins.every((l: { action: string }) => l.action !== 'create'), 'run again, everything exists');
});

test('tde plan as printed: the Payroll certificate to upload (apply needs the emulator\'s tdeCertificates route, not wired yet)', async () => {
  const r = await run('tde plan', 0);
  assert.match(r.stdout, /TDECert_Payroll +0xFD1FBA5669CA279FE0BD19F7DF60772FCCFFA201 +Payroll +UPLOAD/);
});

test('server-objects script and apply, as printed', async () => {
  const r = await run('server-objects script', 0);
  assert.match(r.stdout, /objects scripted/);
  assert.equal(statSync(`${data}/server-objects.sql`).mode & 0o077, 0, 'the script is readable only by its owner');
  const dry = await run('server-objects apply', 1);
  assert.match(dry.stdout, /operator +DBA Team +WOULD-CREATE/);
  assert.match(dry.stdout, /credential +BlobBackups +REFUSED +it still has a <FILL IN/);
});
