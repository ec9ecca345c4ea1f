/**
 * The shape every `sqlmig` command shares: parsed options in, an exit code out, all output
 * through `Io` so tests can run commands in-process and read what they print.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const EXIT_OK = 0;
/** The command ran but the answer is "no" (not ready, failed, refused). */
export const EXIT_FAILED = 1;
/** Bad arguments: nothing was done. */
export const EXIT_USAGE = 2;

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is a terminal (progress lines, colours). */
  isTty: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Asks a question on the terminal; absent when there is no one to ask (a script, a pipe). */
  ask?: (question: string) => Promise<string>;
}

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  /** Words after `sqlmig`, e.g. ['backups', 'scan']. */
  name: string[];
  summary: string;
  usage: string;
  /** Longer help: what it does, each option, examples. */
  help: string;
  options: Options;
  /** Whether positional arguments are accepted. */
  positionals?: boolean;
  run(values: Values, positionals: string[], io: Io): Promise<number>;
}

export class UsageError extends Error {}

export function parse(command: Command, argv: string[]): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: command.options,
      allowPositionals: command.positionals ?? false,
      strict: true,
    });
    return { values: values as Values, positionals };
  } catch (e) {
    // node's messages name the option; add where to look.
    throw new UsageError(`${(e as Error).message}\nSee: sqlmig help ${command.name.join(' ')}`);
  }
}
