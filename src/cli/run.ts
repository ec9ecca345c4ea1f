/** Dispatches argv to a command; shared by the `sqlmig` binary and in-process tests. */
import { commands } from './commands';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parse, UsageError, type Command, type Io } from './command';

declare const SQLMIG_VERSION: string | undefined;
const version = typeof SQLMIG_VERSION === 'string' ? SQLMIG_VERSION : 'dev';

function find(argv: string[]): { command: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.name.every((w, i) => argv[i] === w) && (!best || c.name.length > best.name.length)) best = c;
  }
  return best && { command: best, rest: argv.slice(best.name.length) };
}

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.join(' ').length));
  return [
    'sqlmig: migrate SQL Server databases to Azure SQL Managed Instance',
    '',
    'Usage: sqlmig <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    'Run "sqlmig help <command>" for a command\'s options and examples.',
  ].join('\n');
}

function helpFor(words: string[]): string | undefined {
  const hit = find(words);
  if (hit && hit.rest.length === 0) return `Usage: ${hit.command.usage}\n\n${hit.command.help}`;
  const group = commands.filter((c) => words.every((w, i) => c.name[i] === w));
  if (group.length) return [`Commands under "${words.join(' ')}":`, ...group.map((c) => `  ${c.usage}\n      ${c.summary}`)].join('\n');
  return undefined;
}

export async function runCli(argv: string[], io: Io): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    io.out(overview());
    return argv.length === 0 ? EXIT_USAGE : EXIT_OK;
  }
  if (argv[0] === '--version') {
    io.out(version);
    return EXIT_OK;
  }
  if (argv[0] === 'help') {
    const text = argv.length > 1 ? helpFor(argv.slice(1)) : overview();
    if (!text) {
      io.err(`sqlmig: no command "${argv.slice(1).join(' ')}". Run "sqlmig help" for the list.`);
      return EXIT_USAGE;
    }
    io.out(text);
    return EXIT_OK;
  }
  const hit = find(argv);
  if (!hit) {
    const text = helpFor(argv.slice(0, 1));
    io.err(`sqlmig: unknown command "${argv.join(' ')}".${text ? `\n${text}` : ' Run "sqlmig help" for the list.'}`);
    return EXIT_USAGE;
  }
  if (hit.rest.includes('--help') || hit.rest.includes('-h')) {
    io.out(helpFor(hit.command.name)!);
    return EXIT_OK;
  }
  try {
    const { values, positionals } = parse(hit.command, hit.rest);
    return await hit.command.run(values, positionals, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`sqlmig ${hit.command.name.join(' ')}: ${e.message}\nUsage: ${hit.command.usage}`);
      return EXIT_USAGE;
    }
    const err = e as Error;
    io.err(`sqlmig ${hit.command.name.join(' ')}: ${err.message ?? String(e)}`);
    if (io.env.SQLMIG_DEBUG) io.err(err.stack ?? '');
    return EXIT_FAILED;
  }
}
