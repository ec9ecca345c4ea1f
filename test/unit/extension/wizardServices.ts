/**
 * Wizard services for tests: each records its calls and answers from what the test gives it.
 * The local backup check is the real one.
 */
import { KNOWN_CLOUDS } from '../../../src/core/azure/cloud';
import { Redactor } from '../../../src/extension/redact';
import { localBackupCheck } from '../../../src/extension/services/backupCheck';
import type { AssessmentSummary, MigrationRequest, MigrationSecrets, ReportFormat, WizardServices } from '../../../src/extension/services/types';
import { WizardController } from '../../../src/extension/wizard/controller';
import type { WizardHost, WizardLog, WizardSecretStore, WizardStore } from '../../../src/extension/wizard/deps';
import { applyPatch, type HostMessage, type WizardState } from '../../../src/protocol/wizard';

export const SUB = '/subscriptions/00000000-0000-0000-0000-000000000001';
export const MI_READY = `${SUB}/resourceGroups/rg/providers/Microsoft.Sql/managedInstances/mi-ready`;
export const MI_STOPPED = `${SUB}/resourceGroups/rg/providers/Microsoft.Sql/managedInstances/mi-stopped`;
export const STORAGE = `${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/backupsacct`;
export const DMS = `${SUB}/resourceGroups/rg/providers/Microsoft.DataMigration/sqlMigrationServices/dms1`;

export interface Recorded {
  passwordsSeen: (string | undefined)[];
  started: { request: MigrationRequest; secrets: MigrationSecrets }[];
  /** The databases of each assessment. */
  assessed?: string[][];
  /** The assessment waits until it is cancelled. */
  holdAssessment?: boolean;
  reports?: ReportFormat[];
}

/** Sales is ready, HR has an issue, Scratch is blocked (SIMPLE recovery cannot migrate online). */
const VERDICTS: Record<string, AssessmentSummary> = {
  Sales: { database: 'Sales', readiness: 'ready', blockers: [], issues: [], warnings: [] },
  HR: { database: 'HR', readiness: 'issues', blockers: [], issues: ['Cross-database queries: 2 procedures'], warnings: [] },
  Scratch: { database: 'Scratch', readiness: 'blocked', blockers: ['Recovery model SIMPLE: online migrations need FULL'], issues: [], warnings: [] },
};

export function workingServices(rec: Recorded): WizardServices {
  const ok = { available: true } as const;
  return {
    accounts: { availability: ok, signIn: async (cloud) => ({ cloud, label: 'dba@contoso.com' }) },
    subscriptions: { availability: ok, list: async () => [{ id: SUB, name: 'Production' }] },
    source: {
      availability: ok,
      connect: async (c, password) => {
        rec.passwordsSeen.push(password);
        if (c.authentication === 'SqlAuthentication' && !password) throw new Error('Login failed for user');
        return { server: { serverName: 'SQL01', version: '16.0.4135.4' }, databases: [{ name: 'Sales', sizeMb: 1200, recoveryModel: 'FULL' }, { name: 'HR', sizeMb: 80, recoveryModel: 'FULL' }, { name: 'Scratch', recoveryModel: 'SIMPLE' }] };
      },
      assess: async (_c, _secret, databases, _mode, signal, onProgress) => {
        (rec.assessed ??= []).push([...databases]);
        onProgress('Reading the server inventory', 0.25);
        if (rec.holdAssessment) {
          await new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(Object.assign(new Error('The assessment was cancelled.'), { name: 'SourceError', kind: 'cancelled' })), { once: true }));
        }
        return {
          summaries: databases.map((d) => VERDICTS[d] ?? { database: d, readiness: 'ready', blockers: [], issues: [], warnings: [] }),
          instanceFindings: ['Linked server LEGACY uses a provider Managed Instance lacks'],
          render: (format) => {
            (rec.reports ??= []).push(format);
            return `${format} report of ${databases.join(',')}`;
          },
        };
      },
    },
    targets: {
      availability: ok,
      listManagedInstances: async () => [
        { id: MI_READY, name: 'mi-ready', resourceGroup: 'rg', location: 'westeurope', state: 'Ready' },
        { id: MI_STOPPED, name: 'mi-stopped', resourceGroup: 'rg', location: 'westeurope', state: 'Stopped' },
      ],
      listDatabases: async () => ['HR'],
    },
    storage: { availability: ok, listAccounts: async () => [{ id: STORAGE, name: 'backupsacct', resourceGroup: 'rg', location: 'westeurope' }], listContainers: async () => ['sales', 'archive'] },
    backupCheck: localBackupCheck,
    migrationServices: {
      availability: ok,
      list: async () => [{ id: DMS, name: 'dms1', resourceGroup: 'rg', location: 'westeurope', provisioningState: 'Succeeded', integrationRuntimeState: 'NeedRegistration' }],
      create: async () => {
        throw new Error('not used');
      },
      authKeys: async () => ({ authKey1: 'IR@11111111-2222-3333-4444-555555555555@dms1@weu@firstKEYvalue==', authKey2: 'IR@11111111-2222-3333-4444-555555555555@dms1@weu@secondKEYvalue==' }),
      regenerateKey: async () => ({ authKey1: 'IR@x@y@z@newkey1==', authKey2: 'IR@x@y@z@newkey2==' }),
      nodes: async () => [{ nodeName: 'IR-NODE-1', cpuUtilization: 12, availableMemoryInMB: 4096, concurrentJobsRunning: 0, maxConcurrentJobs: 8 }],
      testConnection: async () => ({ ok: true, checks: [{ name: 'source', ok: true }] }),
    },
    starter: {
      availability: ok,
      start: async (_a, request, secrets) => {
        rec.started.push({ request, secrets });
        return request.databases.map((d) => ({ sourceDatabase: d.sourceDatabase, targetDatabase: d.targetDatabase, id: `${request.targetInstanceId}/providers/Microsoft.DataMigration/databaseMigrations/${d.targetDatabase}` }));
      },
    },
  };
}

export class TestHost implements WizardHost {
  posted: HostMessage[] = [];
  /** What the webview holds after each message: the whole states and the patches applied as the webview applies them. */
  views: WizardState[] = [];
  clipboard = '';
  infos: string[] = [];
  folders: string[] = [];
  cloudFile: string | undefined;
  confirmAnswer = true;
  shownMigrations = 0;
  post(m: HostMessage) {
    // Through JSON, as VS Code carries it; then applied (and validated) as the webview does.
    const message = JSON.parse(JSON.stringify(m)) as HostMessage;
    this.posted.push(message);
    if (message.type === 'state') this.views.push(message.state);
    else {
      const last = this.views[this.views.length - 1];
      if (!last) throw new Error('a patch before any state');
      const applied = applyPatch(last, message.ops);
      if (!applied.ok) throw new Error(`the webview would refuse a patch: ${applied.error}`);
      this.views.push(applied.value);
    }
  }
  async pickCloudFile() {
    return this.cloudFile;
  }
  async pickFolder() {
    return this.folders.shift();
  }
  async copyToClipboard(text: string) {
    this.clipboard = text;
  }
  async confirm() {
    return this.confirmAnswer;
  }
  info(m: string) {
    this.infos.push(m);
  }
  showMigrations() {
    this.shownMigrations++;
  }
  opened: { html: string; title: string }[] = [];
  saved: { content: string; format: string; name: string }[] = [];
  openReport(html: string, title: string) {
    this.opened.push({ html, title });
  }
  async saveReport(content: string, format: string, name: string) {
    this.saved.push({ content, format, name });
    return `/tmp/${name}`;
  }
}

export class MemoryStore implements WizardStore {
  saved: unknown;
  writes: string[] = [];
  load() {
    return this.saved === undefined ? undefined : JSON.parse(JSON.stringify(this.saved));
  }
  async save(state: unknown) {
    this.saved = state;
    this.writes.push(JSON.stringify(state));
  }
}

export class MemorySecrets implements WizardSecretStore {
  data = new Map<string, string>();
  async get(k: string) {
    return this.data.get(k);
  }
  async store(k: string, v: string) {
    this.data.set(k, v);
  }
  async delete(k: string) {
    this.data.delete(k);
  }
}

export class MemoryLog implements WizardLog {
  lines: string[] = [];
  info(m: string) {
    this.lines.push(`info ${m}`);
  }
  warn(m: string) {
    this.lines.push(`warn ${m}`);
  }
  error(m: string) {
    this.lines.push(`error ${m}`);
  }
}

/** The names of a big server's databases: App0000, App0001, ... */
export const appDatabase = (i: number) => `App${String(i).padStart(4, '0')}`;

/** A wizard signed in and connected to the source `services` give, on the source step (where a test at scale starts). */
export async function connectedWizard(services: WizardServices, store: WizardStore = new MemoryStore()) {
  const host = new TestHost();
  const c = new WizardController({ services, host, store, secretStore: new MemorySecrets(), log: new MemoryLog(), redactor: new Redactor(), clouds: [...KNOWN_CLOUDS], defaultCloud: 'AzureCloud' });
  const send = async (m: unknown) => {
    c.receive(m);
    await c.settled();
  };
  await send({ type: 'account.signIn' });
  await send({ type: 'next' });
  await send({ type: 'source.update', patch: { server: 'sqlbig01', userName: 'migrator' } });
  await send({ type: 'source.password', value: 'a-throwaway-pw' });
  await send({ type: 'source.connect' });
  return { c, host, send };
}
