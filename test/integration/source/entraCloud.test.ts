/**
 * `sqlmig assess --auth entra-token` in each cloud, against the sandbox SQL Server (which
 * accepts the tokens it is given): the token must be for the chosen cloud's SQL audience, and
 * the advice on a refused token names that audience, not Azure public's.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { bundledProfile, startTdsServer, type RunningTdsServer } from '../../../sandbox/tds';
import { TOKEN_ENV } from '../../../src/cli/commands/assess';
import { sqlmig } from '../../support/cli';
import { tempDir } from '../../support/tmp';

/** An unsigned JWT for this audience (the sandbox server compares tokens, it does not verify them). */
const token = (aud: string, n = 0) => [{ alg: 'none', typ: 'JWT' }, { aud, oid: `user-${n}` }].map((p) => Buffer.from(JSON.stringify(p)).toString('base64url')).join('.') + '.sig';

const AUDIENCES = {
  AzureCloud: 'https://database.windows.net/',
  AzureUSGovernment: 'https://database.usgovcloudapi.net/',
  AzureChinaCloud: 'https://database.chinacloudapi.cn/',
} as const;

const dir = tempDir();
let server: RunningTdsServer;
let target: string[];
before(async () => {
  server = await startTdsServer({ profile: bundledProfile('clean'), accessTokens: Object.values(AUDIENCES).map((a) => token(a)) });
  target = ['--server', `127.0.0.1,${server.port}`, '--auth', 'entra-token', '--trust-server-certificate', '--json'];
});
after(() => server.stop());

test('each cloud\'s own token logs in; another cloud\'s is refused before connecting, naming both audiences', async () => {
  for (const [cloud, audience] of Object.entries(AUDIENCES)) {
    const ok = await sqlmig(['assess', ...target, '--cloud', cloud], { [TOKEN_ENV]: token(audience) }, dir);
    assert.equal(ok.code, 0, `${cloud}: ${ok.stderr}`);
    assert.equal(JSON.parse(ok.stdout).format, 'sqlmig-assessment');
    for (const [other, foreign] of Object.entries(AUDIENCES).filter(([c]) => c !== cloud)) {
      const r = await sqlmig(['assess', ...target, '--cloud', cloud], { [TOKEN_ENV]: token(foreign) }, dir);
      assert.equal(r.code, 1, `${cloud} with a ${other} token`);
      assert.match(r.stderr, new RegExp(`The Microsoft Entra access token is for ${foreign.replace(/\./g, '\\.')}, but SQL Server in the chosen cloud takes tokens for ${audience.replace(/\./g, '\\.')}`));
    }
  }
  // Without --cloud: Azure public, as before.
  assert.equal((await sqlmig(['assess', ...target], { [TOKEN_ENV]: token(AUDIENCES.AzureCloud) }, dir)).code, 0);
});

test('a refused token\'s advice names the chosen cloud\'s audience', async () => {
  const r = await sqlmig(['assess', ...target, '--cloud', 'usgov'], { [TOKEN_ENV]: token(AUDIENCES.AzureUSGovernment, 99) }, dir);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /did not accept the Microsoft Entra access token.*Get a fresh token for https:\/\/database\.usgovcloudapi\.net\//);
  assert.ok(!r.stderr.includes('database.windows.net'), r.stderr);
});

test('the cloud options go with an Entra token only, and an unknown cloud is a usage error', async () => {
  const sqlLogin = await sqlmig(['assess', '--server', `127.0.0.1,${server.port}`, '--user', 'migrator', '--cloud', 'usgov'], { SQLMIG_SOURCE_PASSWORD: 'x' }, dir);
  assert.equal(sqlLogin.code, 2);
  assert.match(sqlLogin.stderr, /--cloud chooses where the Microsoft Entra token comes from: it goes with --auth entra-token/);
  const mars = await sqlmig(['assess', ...target, '--cloud', 'mars'], { [TOKEN_ENV]: token(AUDIENCES.AzureCloud) }, dir);
  assert.equal(mars.code, 2);
  assert.match(mars.stderr, /unknown cloud "mars"/);
});
