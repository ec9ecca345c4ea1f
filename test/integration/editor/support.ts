/**
 * The editor's real services against a sandbox, as each test here sets them up: an account from
 * the sandbox's cloud file (its static token), the log and the saved upload jobs in memory.
 */
import type { Sandbox } from '../../../sandbox/sandbox';
import { loadCloudFile } from '../../../src/core/azure/cloud';
import { staticTokenCredential } from '../../../src/core/azure/pipeline';
import { Redactor } from '../../../src/extension/redact';
import { createBackend, type BackendEnv, type FullBackend } from '../../../src/extension/services';
import type { UploadJob } from '../../../src/extension/services/localUploads';
import type { SignedInAccount } from '../../../src/extension/services/types';

export async function sandboxAccount(sb: Sandbox): Promise<SignedInAccount> {
  const cloud = await loadCloudFile(sb.info.cloudFile);
  return { cloud, label: 'sandbox', credential: staticTokenCredential(cloud.accessToken!) };
}

/** What the services logged, each line led by its level ("warn start: ..."), and the upload jobs they saved; share one between backends to see a reload. */
export class EditorRecord {
  readonly lines: string[] = [];
  jobs: UploadJob[] = [];
  readonly log = {
    info: (m: string) => void this.lines.push(`info ${m}`),
    warn: (m: string) => void this.lines.push(`warn ${m}`),
    error: (m: string) => void this.lines.push(`error ${m}`),
  };
}

/** The services the editor builds, on `account`, recording into `record`; `env` overrides a default (no migration service remembered, two uploads at once). */
export function editorBackend(account: SignedInAccount, record: EditorRecord, env: Partial<BackendEnv> = {}): FullBackend {
  return createBackend({
    redactor: new Redactor(),
    log: record.log,
    accounts: { current: async () => account },
    registry: { list: () => [], add: async () => undefined },
    uploadJobs: { load: () => record.jobs, save: async (j) => void (record.jobs = j) },
    uploadConcurrency: () => 2,
    uploadWatchIntervalMs: 200,
    signIn: { availability: { available: true }, signIn: async () => account },
    ...env,
  });
}
