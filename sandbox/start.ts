/**
 * `npm run sandbox -- [--json] [--port N] [--data DIR] [--seed profile.json] [--speed X] [--fleet]`
 *
 * Starts the sandbox and runs until SIGINT or SIGTERM, then stops everything it started. With
 * --json it prints exactly one JSON line when ready (see SandboxInfo); otherwise a short summary.
 * --fleet also starts SQL Servers to discover (a SQL Server Browser on a free UDP port, named instances).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startSandbox, type SandboxOptions } from './sandbox';

const USAGE = 'usage: npm run sandbox -- [--json] [--port N] [--data DIR] [--seed profile.json] [--speed X] [--fleet]';

function fail(message: string, code = 2): never {
  process.stderr.write(`sandbox: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        json: { type: 'boolean' },
        port: { type: 'string' },
        data: { type: 'string' },
        seed: { type: 'string' },
        speed: { type: 'string' },
        // SQL Servers to discover: a SQL Server Browser and named instances (sandbox/sqlFleet.ts).
        fleet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // As a user runs it, the source's TDE databases restore only once their certificate is uploaded.
  const options: SandboxOptions = { tdeBackups: 'source-profile' };
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number, not ${values.port}`);
    options.port = port;
  }
  if (values.speed !== undefined) {
    const speed = Number(values.speed);
    if (!(speed > 0)) fail(`--speed must be a positive number, not ${values.speed}`);
    options.clockSpeed = speed;
  }
  if (typeof values.data === 'string') options.dataDir = values.data;
  if (values.fleet) options.fleet = true;
  if (typeof values.seed === 'string') {
    try {
      options.profile = JSON.parse(readFileSync(values.seed, 'utf8'));
    } catch (e) {
      fail(`cannot read the seed profile ${values.seed}: ${(e as Error).message}`);
    }
  }

  let sandbox;
  try {
    sandbox = await startSandbox(options);
  } catch (e) {
    fail((e as Error).message, 1);
  }
  const { info } = sandbox;
  if (values.json) {
    process.stdout.write(`${JSON.stringify(info)}\n`);
  } else {
    process.stdout.write(
      [
        'Sandbox ready (a local Azure on loopback; Ctrl+C stops it)',
        `  ARM endpoint     ${info.armEndpoint}`,
        `  cloud file       ${info.cloudFile}   (holds the access token)`,
        `  subscription     ${info.subscriptionId}`,
        `  managed instance ${info.managedInstanceId}`,
        `  storage account  ${info.storageAccountId}`,
        `  blob endpoint    ${info.blobEndpoint}`,
        `  migration svc    ${info.migrationServiceId}`,
        `  network shares   ${sandbox.shares.map((s) => `${s} -> ${sandbox.shareFolder(s)}`).join(', ') || '(none)'}`,
        ...(info.sourceServer ? [`  source server    ${info.sourceServer.host},${info.sourceServer.port} (SQL login ${info.sourceServer.user}; its password is in the --json line)`] : []),
        ...(info.fleet
          ? [`  SQL Servers      ${info.fleet.instances.map((i) => `${i.serverName}\\${i.name} ${i.address}`).join(', ')} (SQL login ${info.fleet.user})`,
              `                   sqlmig discover 127.0.0.1 --ssrp-port ${info.fleet.ssrpPort}`]
          : []),
        ...(info.targetServer ? [`  instance SQL     ${info.targetServer.hostName},1433 -> ${info.targetServer.host},${info.targetServer.port} (SQL login ${info.targetServer.user}; its password is in the --json line)`] : []),
        '',
      ].join('\n'),
    );
  }
  const stop = () => {
    sandbox.stop().then(
      () => process.exit(0),
      (e) => fail(`stopping failed: ${(e as Error).message}`, 1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.once('SIGHUP', stop);
  // `npm run` does not always pass its signal on: when whoever started us is gone, stop too,
  // rather than leave Azurite and the emulators running.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop();
  }, 1000).unref();
}

void main();
