/**
 * Discovery against the sandbox's SQL Server Browser and TDS servers on loopback: named
 * instances with their ports and versions (read by PRELOGIN, without logging in), a clustered
 * one, a Browser that answers a malformed reply, one that never answers, a host where nothing
 * listens, a broadcast on the loopback link; then `sqlmig discover --out` feeding
 * `sqlmig assess --servers` into one report of every instance. The Browser's UDP port is the
 * test's own (the protocol's 1434 is a parameter).
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fleetFromJson } from '../../../src/core/assessment/fleetReport';
import { discover, discoveryFromJson, serverList, type DiscoveryProgress } from '../../../src/core/discovery';
import { DEFAULT_FLEET, startSqlFleet, type RunningFleet } from '../../../sandbox/sqlFleet';
import { sqlmig } from '../../support/cli';
import { tempDir } from '../../support/tmp';

/** Other loopback addresses than 127.0.0.1 (Linux has all of 127/8; macOS only with aliases). */
async function canBind(address: string): Promise<boolean> {
  const s = createSocket('udp4');
  try {
    await new Promise<void>((res, rej) => {
      s.once('error', rej);
      s.bind(0, address, () => res());
    });
    return true;
  } catch {
    return false;
  } finally {
    try {
      s.close();
    } catch {
      // not bound
    }
  }
}

let fleet: RunningFleet;
let extraHosts = false;
const dir = tempDir('sqlmig-discover-');

before(async () => {
  extraHosts = (await canBind('127.0.0.2')) && (await canBind('127.0.0.3'));
  fleet = await startSqlFleet({
    hosts: [
      ...DEFAULT_FLEET,
      ...(extraHosts
        ? [
            // Its Browser answers garbage; its instance runs, on a port only the Browser could tell.
            { host: '127.0.0.2', serverName: 'BROKEN', browser: 'malformed' as const, instances: [{ name: 'HIDDEN', version: '14.0.3456.2' }] },
            // Its Browser reads and never answers; a stopped instance.
            { host: '127.0.0.3', serverName: 'QUIET', browser: 'silent' as const, instances: [{ name: 'STOPPED', running: false }] },
          ]
        : []),
    ],
    broadcast: true,
  });
});
after(() => fleet?.stop());

const sandbox = () => fleet.hosts[0]!;

test('named instances: each with its TCP port, version, product and clustered flag, confirmed by a PRELOGIN', async () => {
  const progress: DiscoveryProgress[] = [];
  const report = await discover(['127.0.0.1'], { ssrpPort: fleet.ssrpPort, timeoutMs: 1000, onProgress: (p) => progress.push(p) });
  const seen = report.servers.map((s) => [s.instance, s.port, s.version, s.productName, s.clustered, s.tds, s.foundBy.join('+')]);
  const byName = new Map(sandbox().instances.map((i) => [i.name, i.port]));
  assert.deepEqual(seen, [
    ['HR', byName.get('HR'), '13.0.5026.0', 'SQL Server 2016', false, true, 'ssrp+tcp'],
    ['LEGACY', byName.get('LEGACY'), '11.0.7001.0', 'SQL Server 2012', true, true, 'ssrp+tcp'],
    ['MSSQLSERVER', byName.get('MSSQLSERVER'), '16.0.4135.4', 'SQL Server 2022', false, true, 'ssrp+tcp'],
    ['SALES', byName.get('SALES'), '15.0.4298.1', 'SQL Server 2019', false, true, 'ssrp+tcp'],
  ]);
  assert.ok(report.servers.every((s) => s.serverName === 'SQLSANDBOX' && s.edition === undefined), 'the edition is not known without logging in');
  assert.deepEqual(report.silent, [], 'port 1433 refused, but the host has instances');
  assert.deepEqual(progress.at(-1), { done: 1, total: 1, found: 4, message: '127.0.0.1' });
  assert.equal(sandbox().browser.requests.all, 1, 'one CLNT_UCAST_EX');
  assert.equal(report.stats.tcpProbes, 5, '1433 and the four listed ports');
});

test('without the Browser, a given port is still found by PRELOGIN alone', async () => {
  const port = sandbox().instances.find((i) => i.name === 'SALES')!.port;
  const report = await discover(['127.0.0.1'], { ssrp: false, ports: [port], timeoutMs: 1000 });
  assert.deepEqual(report.servers.map((s) => [s.port, s.version, s.instance, s.foundBy]), [[port, '15.0.4298', undefined, ['tcp']]]);
});

test('a malformed Browser reply, a Browser that never answers, a host where nothing listens: each said, none stops the others', async (t) => {
  if (!extraHosts) {
    t.skip('needs 127.0.0.2 and 127.0.0.3 (all of 127/8 is loopback on Linux; elsewhere only with aliases)');
    return;
  }
  const t0 = Date.now();
  const report = await discover(['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'], { ssrpPort: fleet.ssrpPort, timeoutMs: 600, concurrency: 4 });
  assert.ok(Date.now() - t0 < 3000, `bounded by the timeout: ${Date.now() - t0} ms`);
  assert.deepEqual([...new Set(report.servers.map((s) => s.host))], ['127.0.0.1']);
  assert.deepEqual(report.problems.map((p) => p.host), ['127.0.0.2']);
  assert.match(report.problems[0]!.message, /malformed SQL Server Browser reply: record 1: IsClustered is "Maybe"/);
  assert.deepEqual(report.silent.map((s) => [s.host, s.reason]), [
    ['127.0.0.3', 'no SQL Server Browser answer; TCP 1433 refused'],
    ['127.0.0.4', 'no SQL Server Browser (UDP port closed); TCP 1433 refused'],
  ]);
});

test('a broadcast on the loopback link (127.0.0.0/8 named whole): the Browsers that answer, then their instances probed', async () => {
  const report = await discover(['127.0.0.0/8'], { ssrpPort: fleet.ssrpPort, timeoutMs: 600, broadcast: 'only' });
  assert.equal(report.stats.broadcasts, 1);
  assert.deepEqual(report.servers.filter((s) => s.host === '127.0.0.1').map((s) => [s.instance, s.tds, s.foundBy.join('+')]), [
    ['HR', true, 'broadcast+tcp'],
    ['LEGACY', true, 'broadcast+tcp'],
    ['MSSQLSERVER', true, 'broadcast+tcp'],
    ['SALES', true, 'broadcast+tcp'],
  ]);
  if (extraHosts) assert.match(report.problems.find((p) => p.host === '127.0.0.2')?.message ?? '', /malformed SQL Server Browser reply to the broadcast/);
  // A range that is not a whole local link gets no broadcast at all.
  const none = await discover(['127.0.0.0/30'], { ssrpPort: fleet.ssrpPort, timeoutMs: 300, broadcast: 'only' });
  assert.equal(none.stats.broadcasts, 0);
  assert.match(none.problems[0]!.message, /no broadcast/);
});

test('cancelling stops the discovery', async () => {
  const abort = new AbortController();
  const run = discover(['127.0.0.0/24'], { ssrpPort: fleet.ssrpPort, timeoutMs: 2000, concurrency: 2, signal: abort.signal });
  setTimeout(() => abort.abort(), 100);
  const t0 = Date.now();
  await assert.rejects(run, { name: 'AbortError' });
  assert.ok(Date.now() - t0 < 1500, `stopped in ${Date.now() - t0} ms`);
});

test('sqlmig discover --out then sqlmig assess --servers: every instance assessed into one report', async () => {
  const out = join(dir, 'servers.json');
  const csv = join(dir, 'servers.csv');
  const d = await sqlmig(['discover', '127.0.0.1', '127.0.0.9', '--ssrp-port', String(fleet.ssrpPort), '--timeout', '0.5', '--out', out, '--csv', csv]);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout, /2 hosts asked .* 4 SQL Server instances found/);
  assert.match(d.stdout, /127\.0\.0\.9: no SQL Server Browser \(UDP port closed\); TCP 1433 refused/);
  const saved = discoveryFromJson(readFileSync(out, 'utf8'));
  assert.deepEqual(serverList(readFileSync(out, 'utf8')).sort(), sandbox().instances.map((i) => i.address).sort());
  assert.equal(saved.servers.length, 4);
  const rows = readFileSync(csv, 'utf8').trim().split('\r\n');
  assert.equal(rows.length, 6, 'a header, four instances, the silent host');
  assert.match(rows[0]!, /^Server,Host,Address,Instance,Port,Version,Product,Edition,Clustered/);

  const report = join(dir, 'fleet.json');
  const html = join(dir, 'fleet.html');
  const a = await sqlmig(['assess', '--servers', out, '--user', fleet.login.user, '--trust-server-certificate', '--save', report, '--html', html], { SQLMIG_SOURCE_PASSWORD: fleet.login.password });
  assert.equal(a.code, 1, 'SALES (the default profile) has blocked databases');
  assert.match(a.stdout, /^4 servers: 4 assessed, 0 not assessed; 14 databases: 8 ready, 1 with issues, 5 blocked/);
  const fleetReport = fleetFromJson(readFileSync(report, 'utf8'));
  assert.deepEqual(fleetReport.servers.map((s) => s.report?.server.name).sort(), ['SQLSANDBOX', 'SQLSANDBOX\\HR', 'SQLSANDBOX\\LEGACY', 'SQLSANDBOX\\SALES']);
  assert.ok(fleetReport.servers.every((s) => s.report?.server.edition), 'the edition, known once logged in');
  assert.match(readFileSync(html, 'utf8'), /4 SQL Servers → Azure SQL Managed Instance/);
  const again = await sqlmig(['assess', '--import', report, '--json']);
  assert.equal(JSON.parse(again.stdout).summary.servers, 4);
});

test('one server that cannot be reached does not stop the others', async () => {
  const sales = sandbox().instances.find((i) => i.name === 'SALES')!.address;
  const a = await sqlmig(['assess', '--server', sales, '--server', '127.0.0.1,1', '--user', fleet.login.user, '--trust-server-certificate', '--connect-timeout', '3', '--json'], { SQLMIG_SOURCE_PASSWORD: fleet.login.password });
  assert.equal(a.code, 1);
  const r = JSON.parse(a.stdout) as { summary: { servers: number; assessed: number; failed: number }; servers: { address: string; error?: { kind: string } }[] };
  assert.deepEqual(r.summary.servers === 2 && [r.summary.assessed, r.summary.failed], [1, 1]);
  assert.equal(r.servers[1]!.error?.kind, 'unreachable');
});
