/** Reads a line from the terminal without echoing it (a password, never an option). */
import { Writable } from 'node:stream';
import { createInterface } from 'node:readline';

export async function promptSecret(question: string): Promise<string> {
  const muted = new Writable({ write: (_chunk, _enc, cb) => cb() });
  process.stderr.write(question);
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  try {
    return await new Promise<string>((res) => rl.question('', res));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}
