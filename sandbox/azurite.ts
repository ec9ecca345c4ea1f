/**
 * Azurite (the Azure Storage emulator, npm `azurite`) as a child process: blob service only,
 * on loopback, with named storage accounts whose keys really open them. Telemetry is off:
 * nothing may leave this machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StorageAccountKeys {
  name: string;
  key1: string;
  key2: string;
}

export interface AzuriteOptions {
  /** Accounts to create; each gets two random keys unless given. */
  accounts: (Partial<StorageAccountKeys> & { name: string })[];
  /** Where blobs live; a temporary folder (removed on stop) when absent. */
  location?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

export interface Azurite {
  port: number;
  /** The Azurite process (benchmarks read its CPU time). */
  pid: number;
  accounts: StorageAccountKeys[];
  /** e.g. http://127.0.0.1:10000/salesstore/ (path-style, as Azurite serves accounts). */
  blobEndpoint(account: string): string;
  /** A connection string with the account's first key. */
  connectionString(account: string): string;
  stop(): Promise<void>;
}

export async function startAzurite(options: AzuriteOptions): Promise<Azurite> {
  const host = options.host ?? '127.0.0.1';
  const ownsLocation = !options.location;
  const location = options.location ?? mkdtempSync(join(tmpdir(), 'sqlmig-azurite-'));
  const key = () => randomBytes(64).toString('base64');
  const accounts = options.accounts.map((a) => ({ name: a.name, key1: a.key1 ?? key(), key2: a.key2 ?? key() }));
  const main = require.resolve('azurite/dist/src/blob/main.js');
  const child: ChildProcess = spawn(
    process.execPath,
    [main, '--blobHost', host, '--blobPort', String(options.port ?? 0), '--location', location,
      '--disableTelemetry', '--skipApiVersionCheck', '--loose', '--silent'],
    {
      env: { ...process.env, AZURITE_ACCOUNTS: accounts.map((a) => `${a.name}:${a.key1}:${a.key2}`).join(';') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Azurite did not start within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /successfully listens on https?:\/\/[^:]+:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with code ${code} before it was ready:\n${output}`));
    });
  });
  // Keep draining its output so the pipe never fills.
  child.stdout!.resume();
  child.stderr!.resume();

  const base = `http://${host}:${port}`;
  return {
    port,
    pid: child.pid!,
    accounts,
    blobEndpoint: (account) => `${base}/${account}/`,
    connectionString: (account) => {
      const a = accounts.find((x) => x.name === account);
      if (!a) throw new Error(`no storage account ${account} in this Azurite`);
      return `DefaultEndpointsProtocol=http;AccountName=${a.name};AccountKey=${a.key1};BlobEndpoint=${base}/${a.name};`;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      if (ownsLocation) rmSync(location, { recursive: true, force: true });
    },
  };
}
