/** Runs sqlmig commands in-process and captures what they print. */
import { runCli } from '../../src/cli/run';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Stops a long-running command (--watch) as Ctrl-C would. */
  signal?: AbortSignal;
  /** Each line as it is printed (to wait for progress while the command runs). */
  onLine?: (line: string, stream: 'out' | 'err') => void;
}

export async function sqlmig(args: string[], env: NodeJS.ProcessEnv = {}, cwd = process.cwd(), options: CliOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const lines = (t: string, stream: 'out' | 'err') => {
    if (options.onLine) for (const line of t.replace(/\n$/, '').split('\n')) options.onLine(line, stream);
  };
  const code = await runCli(args, {
    out: (t) => {
      stdout += t.endsWith('\n') ? t : `${t}\n`;
      lines(t, 'out');
    },
    err: (t) => {
      stderr += t.endsWith('\n') ? t : `${t}\n`;
      lines(t, 'err');
    },
    isTty: false,
    cwd,
    env,
    ...(options.signal && { signal: options.signal }),
  });
  return { code, stdout, stderr };
}
