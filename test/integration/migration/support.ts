/** Whole migrations through the sqlmig CLI against an in-process sandbox. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../sandbox/sandbox';
import { sqlmig, type CliResult } from '../../support/cli';
import { FAST, waitFor } from '../sandbox/support';

export { waitFor };

export async function cliSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ clockSpeed: 40, sourceServer: false, ...options, timings: { ...FAST, ...options.timings } });
}

/** What every Azure command needs to reach the sandbox. */
export const azure = (sb: Sandbox) => ['--cloud-file', sb.info.cloudFile];

/** The secrets `migrate start` reads from the environment: throwaway values. */
export function secrets(): NodeJS.ProcessEnv {
  return { SQLMIG_SOURCE_PASSWORD: `src-${randomBytes(9).toString('base64url')}` };
}

export function migrationId(sb: Sandbox, target: string): string {
  return `${sb.info.managedInstanceId}/providers/Microsoft.DataMigration/databaseMigrations/${target}`;
}

/** `migrate start` from blob folders of the sandbox's storage account, plus extra options. */
export function startArgs(sb: Sandbox, container: string, databases: string[], extra: string[] = []): string[] {
  return [
    'migrate', 'start', ...azure(sb),
    '--service', sb.info.migrationServiceId,
    '--target', sb.info.managedInstanceId,
    '--source-server', 'SQLSRC01',
    '--source-user', 'migrator',
    '--storage-account-id', sb.info.storageAccountId,
    '--container', container,
    ...databases.flatMap((d) => ['--database', d]),
    ...extra,
  ];
}

/** The detailed status of one migration, as `migrate status --json` prints it. */
export async function status(sb: Sandbox, target: string): Promise<{ status: string; files: { fileName: string; state: string; reason?: string }[]; problems: string[]; properties: any }> {
  const r = await sqlmig(['migrate', 'status', ...azure(sb), '--migration', migrationId(sb, target), '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).migrations[0];
}

export function fileState(s: Awaited<ReturnType<typeof status>>, name: string): string | undefined {
  return s.files.find((f) => f.fileName === name)?.state;
}

/**
 * Background commands still running. A test that fails leaves its own running, and a `--watch`
 * never ends by itself: the file's process would wait for it forever. They are stopped when
 * the file's tests end.
 */
const running = new Set<Background>();
after(() => Promise.all([...running].map((b) => b.stop())));

/** A command running in the background (`--watch`): its lines as they come, stopped like Ctrl-C. */
export class Background {
  readonly lines: string[] = [];
  readonly done: Promise<CliResult>;
  private readonly controller = new AbortController();

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.done = sqlmig(args, env, process.cwd(), { signal: this.controller.signal, onLine: (line, stream) => this.lines.push(stream === 'err' ? `! ${line}` : line) });
    running.add(this);
    void this.done.finally(() => running.delete(this)).catch(() => undefined);
  }

  /** Waits for a line matching `re` (printed since the start); fails with what was printed. */
  async line(re: RegExp, what: string, ms = 20_000): Promise<string> {
    try {
      return await waitFor(what, async () => this.lines.find((l) => re.test(l)), ms);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- printed so far:\n${this.lines.join('\n')}`);
    }
  }

  async stop(): Promise<CliResult> {
    this.controller.abort();
    return this.done;
  }
}
