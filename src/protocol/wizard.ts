/**
 * The wizard's message protocol, shared by the extension host and the webview. Schemas come
 * first and every type is inferred from them, so what is validated at runtime (on both sides)
 * is exactly what the code is typed against; the host's service types are inferred from the
 * same schemas (src/extension/services/types.ts), so each shape is written once. No DOM, no
 * `vscode` and no Node here: both the extension host and the webview bundle load this file.
 *
 * The state never holds a secret: passwords travel once, in their own intent, to the host,
 * and the state only says whether one was entered.
 */
import * as v from 'valibot';
import { MIGRATION_MODES } from '../core/migrationMode';

export const STEPS = ['account', 'source', 'target', 'backups', 'service', 'summary'] as const;
export const StepSchema = v.picklist(STEPS);
export type StepId = v.InferOutput<typeof StepSchema>;

// Every string and list has a bound: the webview refuses a state that breaks one (see fitHostMessage).
const text = (max = 1024) => v.pipe(v.string(), v.maxLength(max));
const id = text(2048);

export const OpSchema = v.variant('status', [
  v.object({ status: v.literal('idle') }),
  v.object({ status: v.literal('busy'), message: v.optional(text()) }),
  v.object({ status: v.literal('done'), message: v.optional(text()) }),
  v.object({ status: v.literal('error'), message: text(8192) }),
]);
export type Op = v.InferOutput<typeof OpSchema>;

export const CAPABILITIES = ['accounts', 'subscriptions', 'source', 'targets', 'storage', 'backupCheck', 'migrationServices', 'starter'] as const;
export type CapabilityName = (typeof CAPABILITIES)[number];
const CapabilityViewSchema = v.object({ available: v.boolean(), reason: v.optional(text()) });
const CapabilitiesSchema = v.object(Object.fromEntries(CAPABILITIES.map((c) => [c, CapabilityViewSchema])) as Record<CapabilityName, typeof CapabilityViewSchema>);

// ---- What the host's services return (and the state shows) --------------------------------

export const AuthenticationSchema = v.picklist(['SqlAuthentication', 'WindowsAuthentication', 'EntraToken']);
export const EncryptSchema = v.picklist(['mandatory', 'optional', 'strict']);
export const ReadinessSchema = v.picklist(['ready', 'issues', 'blocked']);
export const ReportFormatSchema = v.picklist(['json', 'html', 'csv']);
export const ModeSchema = v.picklist(MIGRATION_MODES);
/**
 * Where the backups are: `upload` is a folder on this machine that the extension uploads (the
 * core's and sqlmig's word too), `blob` a container that already holds them, `share` a network
 * share the integration runtime reads.
 */
export const LocationKindSchema = v.picklist(['blob', 'upload', 'share']);
export type LocationKind = v.InferOutput<typeof LocationKindSchema>;

export const SourceConnectionSchema = v.object({
  server: text(),
  authentication: AuthenticationSchema,
  userName: text(),
  encrypt: EncryptSchema,
  trustServerCertificate: v.boolean(),
});
export const SourceServerSchema = v.object({ serverName: text(), version: text(), edition: v.optional(text()) });
export const SourceDatabaseSchema = v.object({ name: text(), sizeMb: v.optional(v.number()), recoveryModel: v.optional(text()), state: v.optional(text()) });
export const AssessmentSummarySchema = v.object({
  database: text(),
  /** ready: nothing to fix; issues: migrates, but something needs work; blocked: cannot migrate as it is. */
  readiness: ReadinessSchema,
  blockers: v.array(text(4096)),
  issues: v.array(text(4096)),
  warnings: v.array(text(4096)),
});
export const SubscriptionSchema = v.object({ id, name: text() });
/** What the target picker shows of a managed instance (`state` is `Ready` when it can take migrations). */
export const ManagedInstanceSchema = v.object({ id, name: text(), resourceGroup: text(), location: text(), state: text(), tier: v.optional(text()), vCores: v.optional(v.number()) });
export const StorageAccountSchema = v.object({ id, name: text(), resourceGroup: text(), location: text() });
export const ChainCheckStepSchema = v.object({ backupType: text(), firstLsn: text(), lastLsn: text(), finished: v.optional(text()), files: v.array(text()) });
/** A local folder's restore chain as the backup engine plans it. */
export const ChainCheckResultSchema = v.object({
  database: text(),
  folder: id,
  ready: v.boolean(),
  steps: v.array(ChainCheckStepSchema),
  problems: v.array(text(4096)),
  warnings: v.array(text(4096)),
  /** Files left out of the plan, with the reason. */
  ignored: v.array(v.object({ file: text(), reason: text(4096) })),
  /** The file an offline migration names as its last backup. */
  lastBackupName: v.optional(text()),
});
export const MigrationServiceSchema = v.object({
  id,
  name: text(),
  resourceGroup: text(),
  location: text(),
  provisioningState: v.optional(text()),
  integrationRuntimeState: v.optional(text()),
});
export const RuntimeNodeSchema = v.object({
  nodeName: text(),
  cpuUtilization: v.optional(v.number()),
  availableMemoryInMB: v.optional(v.number()),
  concurrentJobsRunning: v.optional(v.number()),
  maxConcurrentJobs: v.optional(v.number()),
});
export const ConnectionTestSchema = v.object({
  ok: v.boolean(),
  /** One line per check the runtime made (source, share, storage). */
  checks: v.array(v.object({ name: text(), ok: v.boolean(), message: v.optional(text(4096)) })),
});
export const StartedMigrationSchema = v.object({
  sourceDatabase: text(),
  targetDatabase: text(),
  /** The databaseMigrations resource id, when the service accepted it. */
  id: v.optional(id),
  error: v.optional(text(4096)),
});

// ---- The wizard's state -------------------------------------------------------------------

const DatabaseBackupSchema = v.object({
  source: text(),
  target: text(),
  /** A folder on this machine (upload) or a UNC path (network share). */
  folder: id,
  /** Blob container (optionally container/folder) that holds or receives this database's backups. */
  container: text(),
  lastBackupName: text(),
  check: v.optional(ChainCheckResultSchema),
  checkOp: OpSchema,
});
export type DatabaseBackup = v.InferOutput<typeof DatabaseBackupSchema>;

const AssessmentSchema = v.object({
  op: OpSchema,
  /** 0..1 while it runs. */
  progress: v.optional(v.number()),
  /** The databases the results are for, and the mode they were assessed for. */
  databases: v.array(text()),
  mode: v.optional(ModeSchema),
  results: v.array(AssessmentSummarySchema),
  instanceFindings: v.array(text(4096)),
  /** The full report is in the host's memory (open and save work); false after a reload. */
  reportAvailable: v.boolean(),
});
export type AssessmentView = v.InferOutput<typeof AssessmentSchema>;

export const WizardStateSchema = v.object({
  version: v.literal(2),
  step: StepSchema,
  /** The furthest step reached: the step list lets the user jump back to any step before it. */
  reached: StepSchema,
  capabilities: CapabilitiesSchema,
  /** Why Next is refused on the current step; empty when it may proceed. */
  issues: v.array(text(4096)),
  account: v.object({
    clouds: v.array(v.object({ name: text(), displayName: text() })),
    cloudName: text(),
    customCloudFile: v.optional(id),
    signedIn: v.optional(text()),
    op: OpSchema,
  }),
  source: v.object({
    ...SourceConnectionSchema.entries,
    passwordEntered: v.boolean(),
    /** Keep the password in VS Code's secret storage (never in this state or in settings). */
    rememberPassword: v.boolean(),
    connected: v.optional(SourceServerSchema),
    databases: v.array(SourceDatabaseSchema),
    selected: v.array(text()),
    assessment: AssessmentSchema,
    op: OpSchema,
  }),
  target: v.object({
    subscriptions: v.array(SubscriptionSchema),
    subscriptionId: v.optional(id),
    instances: v.array(ManagedInstanceSchema),
    instanceId: v.optional(id),
    existingDatabases: v.array(text()),
    op: OpSchema,
  }),
  backups: v.object({
    mode: ModeSchema,
    location: LocationKindSchema,
    storageAccounts: v.array(StorageAccountSchema),
    storageAccountId: v.optional(id),
    containers: v.array(text()),
    shareUserName: text(),
    sharePasswordEntered: v.boolean(),
    databases: v.array(DatabaseBackupSchema),
    op: OpSchema,
  }),
  service: v.object({
    services: v.array(MigrationServiceSchema),
    serviceId: v.optional(id),
    newName: text(),
    newResourceGroup: text(),
    newLocation: text(),
    keysLoaded: v.boolean(),
    nodes: v.array(RuntimeNodeSchema),
    test: v.optional(ConnectionTestSchema),
    op: OpSchema,
  }),
  start: v.object({
    op: OpSchema,
    results: v.array(StartedMigrationSchema),
  }),
});
export type WizardState = v.InferOutput<typeof WizardStateSchema>;

// ---- Webview -> host: intents ---------------------------------------------------------------

const SourcePatchSchema = v.strictObject({
  server: v.optional(text(256)),
  authentication: v.optional(AuthenticationSchema),
  userName: v.optional(text(256)),
  encrypt: v.optional(EncryptSchema),
  trustServerCertificate: v.optional(v.boolean()),
  rememberPassword: v.optional(v.boolean()),
});
const BackupsPatchSchema = v.strictObject({
  mode: v.optional(ModeSchema),
  location: v.optional(LocationKindSchema),
  storageAccountId: v.optional(id),
  shareUserName: v.optional(text(256)),
});
const DatabasePatchSchema = v.strictObject({
  target: v.optional(text(256)),
  folder: v.optional(id),
  container: v.optional(text(256)),
  lastBackupName: v.optional(text(512)),
});
const ServicePatchSchema = v.strictObject({
  newName: v.optional(text(256)),
  newResourceGroup: v.optional(text(256)),
  newLocation: v.optional(text(256)),
});
const KeyNameSchema = v.picklist(['authKey1', 'authKey2']);

// Strict: an intent with a field it should not have (a password in a patch) is refused whole.
const intent = <T extends string, E extends v.ObjectEntries>(type: T, entries: E) => v.strictObject({ type: v.literal(type), ...entries });

export const WebviewMessageSchema = v.variant('type', [
  intent('ready', {}),
  intent('next', {}),
  intent('back', {}),
  intent('goto', { step: StepSchema }),
  intent('startOver', {}),
  intent('account.selectCloud', { name: text() }),
  intent('account.chooseCloudFile', {}),
  intent('account.signIn', {}),
  intent('source.update', { patch: SourcePatchSchema }),
  intent('source.password', { value: text(1024) }),
  intent('source.connect', {}),
  intent('source.select', { names: v.pipe(v.array(text()), v.maxLength(1000)) }),
  intent('source.assess', {}),
  intent('source.cancelAssessment', {}),
  intent('source.openReport', {}),
  intent('source.saveReport', { format: ReportFormatSchema }),
  intent('target.selectSubscription', { id }),
  intent('target.selectInstance', { id }),
  intent('backups.update', { patch: BackupsPatchSchema }),
  intent('backups.sharePassword', { value: text(1024) }),
  intent('backups.updateDatabase', { source: text(), patch: DatabasePatchSchema }),
  intent('backups.browse', { source: text() }),
  intent('backups.check', { source: text() }),
  intent('service.select', { id }),
  intent('service.update', { patch: ServicePatchSchema }),
  intent('service.create', {}),
  intent('service.copyKey', { key: KeyNameSchema }),
  intent('service.regenerateKey', { key: KeyNameSchema }),
  intent('service.refreshNodes', {}),
  intent('service.test', {}),
  intent('start', {}),
]);
export type WebviewMessage = v.InferOutput<typeof WebviewMessageSchema>;
export type WebviewMessageType = WebviewMessage['type'];

// ---- Host -> webview ------------------------------------------------------------------------

export const HostMessageSchema = v.variant('type', [
  v.object({ type: v.literal('state'), state: WizardStateSchema, l10n: v.optional(v.record(v.string(), v.string())) }),
]);
export type HostMessage = v.InferOutput<typeof HostMessageSchema>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function parseWith<T>(schema: v.GenericSchema<unknown, T>, input: unknown): Parsed<T> {
  const r = v.safeParse(schema, input);
  if (r.success) return { ok: true, value: r.output };
  const first = r.issues[0];
  const path = first.path?.map((p) => String(p.key)).join('.') ?? '';
  return { ok: false, error: `${path ? `${path}: ` : ''}${first.message}` };
}

export const parseWebviewMessage = (input: unknown) => parseWith(WebviewMessageSchema, input);
export const parseHostMessage = (input: unknown) => parseWith(HostMessageSchema, input);
export const parseWizardState = (input: unknown) => parseWith(WizardStateSchema, input);

/**
 * Fits a host message to the schema the webview checks it against: a string or list longer than
 * its field allows is cut (a string ends with "…"), so one long error (say, a plan with a
 * hundred problems) can never make the webview refuse every later state. Returns what was cut,
 * by path, for the log; the full text belongs there.
 */
export function fitHostMessage(message: HostMessage): { message: HostMessage; clipped: string[] } {
  const clipped: string[] = [];
  let current: unknown = message;
  for (let round = 0; round < 50; round++) {
    const r = v.safeParse(HostMessageSchema, current);
    if (r.success) return { message: r.output, clipped };
    const fixable = r.issues.filter((i) => i.type === 'max_length' && typeof i.requirement === 'number' && i.path?.length);
    if (!fixable.length) break;
    current = structuredClone(current);
    for (const issue of fixable) {
      const keys = issue.path!.map((p) => p.key as string | number);
      const parent = keys.slice(0, -1).reduce<any>((o, k) => o?.[k], current);
      const last = keys[keys.length - 1]!;
      const value = parent?.[last];
      const max = issue.requirement as number;
      if (typeof value === 'string') parent[last] = `${value.slice(0, Math.max(0, max - 1))}…`;
      else if (Array.isArray(value)) parent[last] = value.slice(0, max);
      else continue;
      clipped.push(keys.join('.'));
    }
  }
  const left = parseHostMessage(current);
  throw new Error(`a wizard state does not fit its message schema${left.ok ? '' : `: ${left.error}`}`);
}
