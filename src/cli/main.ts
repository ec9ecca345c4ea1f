/** The `sqlmig` binary. */
import { createInterface } from 'node:readline';
import { runCli } from './run';

// The SQL Server client library passes an IP address as the TLS server name, which Node flags
// as deprecated (DEP0123) on every connection by address; say every other warning as usual.
process.removeAllListeners('warning');
process.on('warning', (w: Error & { code?: string }) => {
  if (w.code !== 'DEP0123') process.stderr.write(`${w.name}: ${w.message}\n`);
});

/** A line from the terminal, asked on stderr so stdout stays the command's output. */
function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  return new Promise<string>((res) => rl.question(question, res)).finally(() => rl.close());
}

const controller = new AbortController();
process.once('SIGINT', () => controller.abort(new Error('interrupted')));

runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') || text.startsWith('\r') ? text : `${text}\n`),
  isTty: Boolean(process.stdout.isTTY),
  cwd: process.cwd(),
  env: process.env,
  signal: controller.signal,
  ...(process.stdin.isTTY && process.stderr.isTTY && { ask }),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`sqlmig: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
