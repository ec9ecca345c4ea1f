/**
 * Runs the sandbox's SQL Servers to discover (sandbox/sqlFleet.ts) on their own, until Ctrl+C:
 *
 *   SQLMIG_SOURCE_PASSWORD=... npx tsx sandbox/fleetMain.ts [--ssrp-port N] [--broadcast]
 *
 * The login is "sqlmig" with the password from SQLMIG_SOURCE_PASSWORD (never printed). It prints
 * the SQL Server Browser's UDP port and the discover and assess commands to try.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_FLEET, startSqlFleet } from './sqlFleet';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'ssrp-port': { type: 'string' }, broadcast: { type: 'boolean' } } });
  const password = process.env.SQLMIG_SOURCE_PASSWORD;
  if (!password) throw new Error('set SQLMIG_SOURCE_PASSWORD to the password the sandbox login "sqlmig" should have');
  const fleet = await startSqlFleet({
    hosts: DEFAULT_FLEET,
    ssrpPort: Number(values['ssrp-port'] ?? 0),
    broadcast: Boolean(values.broadcast),
    login: { user: 'sqlmig', password },
  });
  for (const h of fleet.hosts) {
    console.log(`${h.serverName} on ${h.host}: SQL Server Browser on UDP ${fleet.ssrpPort}`);
    for (const i of h.instances) console.log(`  ${i.name.padEnd(12)} ${i.version.padEnd(12)} ${i.address}`);
  }
  console.log(`  sqlmig discover 127.0.0.1 --ssrp-port ${fleet.ssrpPort} --out servers.json`);
  console.log('  sqlmig assess --servers servers.json --user sqlmig --trust-server-certificate --html fleet.html');
  const stop = () => void fleet.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e) => {
  console.error(`sandbox SQL Servers: ${(e as Error).message}`);
  process.exitCode = 1;
});
