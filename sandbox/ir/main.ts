/**
 * The integration runtime emulator as its own process:
 *
 *   SQLMIG_IR_AUTH_KEY=... node dist/sandbox-ir.js [--node-name NAME]
 *   node dist/sandbox-ir.js --auth-key-file FILE [--node-name NAME]
 *
 * FILE holds the key, or is the keys file `sqlmig dms keys --out FILE` writes.
 *
 * The key is never taken from the command line (other users could read it there). When the
 * key is regenerated the runtime goes offline; with --auth-key-file it re-reads the file and
 * registers again as soon as it holds a current key. Stops on SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { IntegrationRuntime } from './runtime';

const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);

/** The key alone, or the keys file `sqlmig dms keys --out FILE` writes ({"authKey1", "authKey2"}: the first is used). */
function readKey(file: string | undefined): string {
  let key = (file ? readFileSync(file, 'utf8') : process.env.SQLMIG_IR_AUTH_KEY ?? '').trim();
  if (key.startsWith('{')) {
    const keys = JSON.parse(key) as { authKey1?: string; authKey2?: string };
    key = keys.authKey1 ?? keys.authKey2 ?? '';
  }
  if (!key) throw new Error('no authentication key: set SQLMIG_IR_AUTH_KEY or pass --auth-key-file FILE');
  return key;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'auth-key-file': { type: 'string' }, 'node-name': { type: 'string' } } });
  const keyFile = values['auth-key-file'];
  let ir: IntegrationRuntime;
  try {
    ir = await IntegrationRuntime.start({ authKey: readKey(keyFile), log, ...(values['node-name'] && { nodeName: values['node-name'] }) });
  } catch (e) {
    process.stderr.write(`integration runtime: ${(e as Error).message}\n`);
    process.exit(1);
  }
  // Offline after a key regeneration: try the key file again every few seconds.
  const retry = setInterval(() => {
    if (ir.state !== 'Offline' || !keyFile) return;
    let key: string;
    try {
      key = readKey(keyFile);
    } catch {
      return;
    }
    ir.register(key).catch(() => undefined);
  }, 3000);
  const stop = () => {
    clearInterval(retry);
    ir.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
