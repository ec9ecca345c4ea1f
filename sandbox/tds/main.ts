/**
 * Runs the sandbox SQL Server on its own, until Ctrl+C:
 *
 *   SQLMIG_SOURCE_PASSWORD=... npx tsx sandbox/tds/main.ts [--profile default|clean|FILE.json] [--port N] [--tls on|required|off]
 *
 * The login is "sqlmig" with the password from SQLMIG_SOURCE_PASSWORD (the variable `sqlmig
 * assess` reads), so the password is never printed or passed as an argument.
 */
import { parseArgs } from 'node:util';
import { bundledProfile, loadProfile, startTdsServer } from '.';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { profile: { type: 'string' }, port: { type: 'string' }, tls: { type: 'string' } } });
  const password = process.env.SQLMIG_SOURCE_PASSWORD;
  if (!password) throw new Error('set SQLMIG_SOURCE_PASSWORD to the password the sandbox login "sqlmig" should have');
  const name = values.profile ?? 'default';
  const profile = name === 'default' || name === 'clean' ? bundledProfile(name) : loadProfile(name);
  const tls = (values.tls ?? 'on') as 'on' | 'required' | 'off';
  if (!['on', 'required', 'off'].includes(tls)) throw new Error('--tls must be on, required or off');
  const server = await startTdsServer({ profile, port: Number(values.port ?? 0), logins: [{ user: 'sqlmig', password }], tls });
  console.log(`sandbox SQL Server "${profile.server.name}" (${profile.server.version}, ${profile.databases.length} databases) on 127.0.0.1,${server.port}`);
  console.log(`  sqlmig assess --server 127.0.0.1,${server.port} --user sqlmig --trust-server-certificate`);
  const stop = () => void server.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e) => {
  console.error(`sandbox SQL Server: ${(e as Error).message}`);
  process.exitCode = 1;
});
