/** sqlmig discover's guard rails: nothing is sent until the targets are valid and their size is confirmed. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../../../src/cli/run';
import { sqlmig } from '../../support/cli';

test('more hosts than --max-hosts: --yes, or a "y" on a terminal; a /16 is the most ever probed', async () => {
  const big = await sqlmig(['discover', '10.0.0.0/23']);
  assert.equal(big.code, 2);
  assert.match(big.stderr, /510 hosts, more than 256: add --yes/);
  const capped = await sqlmig(['discover', '10.0.0.0/24', '--max-hosts', '10']);
  assert.match(capped.stderr, /254 hosts, more than 10/);
  const huge = await sqlmig(['discover', '10.0.0.0/15', '--yes']);
  assert.equal(huge.code, 2);
  assert.match(huge.stderr, /131070 hosts; discovery probes at most 65536/);
  // Asked on a terminal and refused: nothing probed.
  const asked: string[] = [];
  let err = '';
  const code = await runCli(['discover', '10.0.0.0/23'], {
    out: () => undefined,
    err: (t) => void (err += t),
    isTty: true,
    cwd: process.cwd(),
    env: {},
    ask: async (q) => {
      asked.push(q);
      return 'n';
    },
  });
  assert.equal(code, 1);
  assert.deepEqual(asked, ['Probe 510 hosts (more than 256)? [y/N] ']);
  assert.match(err, /Nothing was probed/);
});

test('usage errors say what is wrong and probe nothing', async () => {
  for (const [args, why] of [
    [['discover'], /no targets/],
    [['discover', 'sql_01!'], /is not a host name/],
    [['discover', 'sql01', '--port', '70000'], /--port wants TCP ports/],
    [['discover', 'sql01', '--timeout', '0'], /--timeout wants seconds/],
    [['discover', '10.0.0.0/24', '--broadcast', '--broadcast-only'], /exclude each other/],
    [['discover', '10.0.0.0/24', '--broadcast', '--no-browser'], /does not go with --no-browser/],
    [['assess', '--servers', '/nonexistent/servers.json', '--user', 'u'], /no such file/],
  ] as const) {
    const r = await sqlmig([...args], { SQLMIG_SOURCE_PASSWORD: 'x' });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, why);
  }
});

test('the help says where traffic goes and what the result feeds', async () => {
  const help = (await sqlmig(['help', 'discover'])).stdout;
  assert.match(help, /and nowhere else/);
  assert.match(help, /sqlmig assess --servers servers\.json/);
});
