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

export const STEPS = ['account', 'source', 'target', 'serverObjects', 'backups', 'service', 'summary'] as const;
export const StepSchema = v.picklist(STEPS);
export type StepId = v.InferOutput<typeof StepSchema>;

// Every string and list has a bound: the webview refuses a state that breaks one (see fitHostMessage).
const text = (max = 1024) => v.pipe(v.string(), v.maxLength(max));
/**
 * A SQL Server address as the server field takes it: a DNS name (at most 253 characters) and
 * "\INSTANCE" (at most 16) or ",PORT". What discovery offers and what the user types share it,
 * so every address offered can be used.
 */
const SERVER_ADDRESS_MAX = 253 + 1 + 16;
const id = text(2048);

/** The most databases an intent may name (a server with more is beyond what one wizard moves). */
export const MAX_DATABASES = 20_000;
/** The problems of one kind the "to continue" area names; the rest are counted. */
export const ISSUE_ITEMS_SHOWN = 5;

export const OpSchema = v.variant('status', [
  v.object({ status: v.literal('idle') }),
  v.object({ status: v.literal('busy'), message: v.optional(text()) }),
  v.object({ status: v.literal('done'), message: v.optional(text()) }),
  v.object({ status: v.literal('error'), message: text(8192) }),
]);
export type Op = v.InferOutput<typeof OpSchema>;

export const CAPABILITIES = ['accounts', 'subscriptions', 'source', 'targets', 'storage', 'backupCheck', 'migrationServices', 'starter', 'logReplay', 'serverObjects'] as const;
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

/**
 * What restores the databases: the Database Migration Service (`dms`: also reads a network share,
 * through its integration runtime) or the managed instance's own Log Replay Service (`lrs`: blob
 * storage only, no migration service or runtime to install).
 */
export const EngineSchema = v.picklist(['dms', 'lrs']);
export type Engine = v.InferOutput<typeof EngineSchema>;
/**
 * How the target reads a blob container of backups, for either engine: with a key handed over at
 * Start ('key': the Log Replay Service gets a SAS token with Read and List, made then and never
 * kept; the migration service gets the storage account's key) or with the managed instance's own
 * identity ('managedIdentity': it needs Storage Blob Data Reader on the account; no key leaves
 * the editor).
 */
export const ContainerAccessSchema = v.picklist(['key', 'managedIdentity']);
export type ContainerAccess = v.InferOutput<typeof ContainerAccessSchema>;

/** Whether the container access applies: a network share is read by the integration runtime with the share's user instead. */
export function readsBlobContainer(s: { engine: { kind: Engine }; backups: { location: string } }): boolean {
  return s.engine.kind === 'lrs' || s.backups.location !== 'share';
}

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
  /** The ids of the rules behind its findings (what the Server objects step preselects from). */
  rules: v.optional(v.array(text(128))),
});
/** An assessment's verdict on one database as the wizard keeps it: with the mode it was assessed for. */
export const AssessedSchema = v.object({ ...AssessmentSummarySchema.entries, mode: v.optional(ModeSchema) });
export const SubscriptionSchema = v.object({ id, name: text() });
/** What the target picker shows of a managed instance (`state` is `Ready` when it can take migrations). */
export const ManagedInstanceSchema = v.object({ id, name: text(), resourceGroup: text(), location: text(), state: text(), tier: v.optional(text()), vCores: v.optional(v.number()) });
/** A size recommendation from collected performance data, as the target step shows it (the full one stays in the host's memory). */
export const SizingViewSchema = v.object({
  /** The collection folder (sqlmig perf collect, or Microsoft's collector CSV files). */
  folder: id,
  /** The cheapest option that fits, by name; absent when nothing fits. */
  recommended: v.optional(text(4096)),
  explanation: v.optional(text(4096)),
  /** What the data covers: its span and samples. */
  covers: text(),
  /** Why nothing fits, and what no tier takes (FILESTREAM...). */
  problems: v.array(text(4096)),
  /** Per chosen instance, what it lacks for this workload (warnings: they never block). */
  warnings: v.array(v.object({ instanceId: id, text: text(4096) })),
});

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
/** A connection another tool saved (the MSSQL extension's profiles): never a password. */
export const SavedConnectionSchema = v.object({
  id,
  label: text(),
  provider: text(),
  connection: SourceConnectionSchema,
  database: v.optional(text()),
  group: v.optional(text()),
  caveat: v.optional(text(4096)),
});
/** A SQL Server instance discovery found; `address` is what the server field takes (HOST,PORT or HOST\INSTANCE). */
export const DiscoveredServerSchema = v.object({
  address: text(SERVER_ADDRESS_MAX),
  host: text(),
  serverName: v.optional(text()),
  instance: v.optional(text()),
  port: v.optional(v.number()),
  version: v.optional(text()),
  productName: v.optional(text()),
  clustered: v.optional(v.boolean()),
  /** A PRELOGIN answer confirmed a SQL Server on the port. */
  tds: v.boolean(),
  note: v.optional(text(4096)),
});
/** A login of the source the Server objects step lists; `excluded` says why one is never migrated. */
export const LoginChoiceSchema = v.object({ name: text(), kind: text(64), excluded: v.optional(text(4096)) });
/** One item done at Start by the Server objects step: a certificate, a login, a user, a server object. */
export const ServerObjectResultSchema = v.object({
  part: v.picklist(['tde', 'login', 'user', 'object']),
  name: text(),
  /** uploaded, created, skipped, failed, ... (the core's words). */
  status: text(64),
  detail: v.optional(text(4096)),
});
/** The most logins the Server objects step lists, and results it keeps. */
export const MAX_LOGINS = 5000;
export const MAX_SERVER_OBJECT_RESULTS = 5000;

/** The most servers one discovery shows, and its problems. */
export const MAX_DISCOVERED = 2000;
export const MAX_DISCOVERY_PROBLEMS = 50;

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
  /** The target instance it goes to: the chosen instances in order, each up to its tier's limit. */
  instanceId: v.optional(id),
});
export type DatabaseBackup = v.InferOutput<typeof DatabaseBackupSchema>;

const AssessmentSchema = v.object({
  op: OpSchema,
  /** 0..1 while it runs. */
  progress: v.optional(v.number()),
  /**
   * Every database an assessment has given a verdict on, selected or not (a later run replaces
   * the verdicts of the databases it assessed and keeps the others): a blocked database stays
   * blocked until an assessment says otherwise.
   */
  databases: v.array(text()),
  /** The mode of the latest run; each result carries its own. */
  mode: v.optional(ModeSchema),
  results: v.array(AssessedSchema),
  instanceFindings: v.array(text(4096)),
  /** The ids of the rules behind the server-wide findings. */
  instanceRules: v.optional(v.array(text(128))),
  /** The full report is in the host's memory (open and save work); false after a reload. */
  reportAvailable: v.boolean(),
});
export type AssessmentView = v.InferOutput<typeof AssessmentSchema>;

/** One kind of problem that keeps the step from proceeding: how many, and the first few (with the database each is about). */
export const IssueGroupSchema = v.object({
  kind: text(64),
  /** What to do, for the whole kind (shown with the count when there are several). */
  label: text(4096),
  count: v.number(),
  items: v.pipe(v.array(v.object({ text: text(4096), database: v.optional(text()) })), v.maxLength(ISSUE_ITEMS_SHOWN)),
  /** Every database with this problem (a list can show only them). */
  databases: v.optional(v.array(text())),
});
export type IssueGroup = v.InferOutput<typeof IssueGroupSchema>;

export const WizardStateSchema = v.object({
  version: v.literal(3),
  step: StepSchema,
  /** The furthest step reached: the step list lets the user jump back to any step before it. */
  reached: StepSchema,
  capabilities: CapabilitiesSchema,
  /** Why Next is refused on the current step, by kind; empty when it may proceed. */
  issues: v.array(IssueGroupSchema),
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
    /** In the order of `databases`. */
    selected: v.array(text()),
    /** What the last change of the selection left out and why, said where the user acted. */
    selectionNote: v.optional(text(4096)),
    assessment: AssessmentSchema,
    op: OpSchema,
    /** The MSSQL extension's saved connections, once listed; `chosen` is the one the fields came from. */
    saved: v.optional(v.object({
      available: v.boolean(),
      reason: v.optional(text()),
      connections: v.pipe(v.array(SavedConnectionSchema), v.maxLength(1000)),
      chosen: v.optional(id),
      /** `chosen` was handed over from the MSSQL extension's Object Explorer. */
      offered: v.optional(v.boolean()),
    })),
    /** "Discover servers": what the user asked for and what answered. */
    discovery: v.optional(v.object({
      available: v.boolean(),
      reason: v.optional(text()),
      targets: text(4096),
      ports: text(256),
      op: OpSchema,
      /** 0..1 while it runs. */
      progress: v.optional(v.number()),
      servers: v.pipe(v.array(DiscoveredServerSchema), v.maxLength(MAX_DISCOVERED)),
      /** Hosts where nothing answered. */
      silent: v.number(),
      problems: v.pipe(v.array(text(4096)), v.maxLength(MAX_DISCOVERY_PROBLEMS)),
      /** The targets stand for this many hosts, more than are probed without asking: the user confirms. */
      confirm: v.optional(v.number()),
    })),
  }),
  target: v.object({
    subscriptions: v.array(SubscriptionSchema),
    subscriptionId: v.optional(id),
    instances: v.array(ManagedInstanceSchema),
    /** The chosen instances, in the order they fill: one run may spread over several. */
    instanceIds: v.array(id),
    /** The databases already on each chosen instance, once listed (they count toward its limit). */
    existing: v.array(v.object({ instanceId: id, names: v.array(text()) })),
    /** The recommendation for the selected databases, once performance data was chosen. */
    sizing: v.optional(SizingViewSchema),
    op: OpSchema,
  }),
  /**
   * Optional, after the target: what moves besides the databases (TDE certificates first, at
   * Start; logins and server objects after the migrations start), and a login on the instance
   * (its password is held by the host only).
   */
  serverObjects: v.object({
    tde: v.boolean(),
    logins: v.boolean(),
    objects: v.boolean(),
    /** The assessment's findings have preselected the choices (once: the user's choices stand after that). */
    suggested: v.boolean(),
    user: text(),
    passwordEntered: v.boolean(),
    /** The source's logins, once listed. */
    sourceLogins: v.optional(v.pipe(v.array(LoginChoiceSchema), v.maxLength(MAX_LOGINS))),
    loginNames: v.pipe(v.array(text()), v.maxLength(MAX_LOGINS)),
    /** Windows domains to Microsoft Entra domains: CONTOSO=contoso.com, ... */
    mapping: text(4096),
    op: OpSchema,
    results: v.pipe(v.array(ServerObjectResultSchema), v.maxLength(MAX_SERVER_OBJECT_RESULTS)),
  }),
  /** Chosen after the target; the Log Replay Service skips the migration-service step. */
  engine: v.object({ kind: EngineSchema, access: ContainerAccessSchema }),
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

/** Steps the chosen engine asks nothing in (the Log Replay Service has no migration service): navigation passes over them and the step list shows them skipped. */
export function skippedSteps(s: Pick<WizardState, 'engine'>): ReadonlySet<StepId> {
  return new Set<StepId>(s.engine.kind === 'lrs' ? ['service'] : []);
}

// ---- Webview -> host: intents ---------------------------------------------------------------

const SourcePatchSchema = v.strictObject({
  server: v.optional(text(SERVER_ADDRESS_MAX)),
  authentication: v.optional(AuthenticationSchema),
  userName: v.optional(text(256)),
  encrypt: v.optional(EncryptSchema),
  trustServerCertificate: v.optional(v.boolean()),
  rememberPassword: v.optional(v.boolean()),
});
export type SourcePatch = v.InferOutput<typeof SourcePatchSchema>;
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
const ServerObjectsPatchSchema = v.strictObject({
  tde: v.optional(v.boolean()),
  logins: v.optional(v.boolean()),
  objects: v.optional(v.boolean()),
  user: v.optional(text(256)),
  mapping: v.optional(text(4096)),
});
const EnginePatchSchema = v.strictObject({ kind: v.optional(EngineSchema), access: v.optional(ContainerAccessSchema) });

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
  /** The selection becomes exactly these (as far as the rules allow). */
  intent('source.select', { names: v.pipe(v.array(text()), v.maxLength(MAX_DATABASES)) }),
  /** These join (or leave) the selection. */
  intent('source.toggle', { names: v.pipe(v.array(text()), v.maxLength(MAX_DATABASES)), selected: v.boolean() }),
  /** Every database that can be selected, none, or every one the assessment found ready. */
  intent('source.selectAll', { which: v.picklist(['all', 'none', 'ready']) }),
  /** `all`: every database on the server; otherwise the selected ones and every one assessed before. */
  intent('source.assess', { scope: v.optional(v.picklist(['selected', 'all'])) }),
  intent('source.cancelAssessment', {}),
  intent('source.openReport', {}),
  intent('source.saveReport', { format: ReportFormatSchema }),
  /** The saved connection's server, authentication, login and encryption fill the fields (no password). */
  intent('source.useSaved', { id }),
  /** Asks the saved connection's tool for its password (it asks the user first). */
  intent('source.savedPassword', {}),
  intent('source.refreshSaved', {}),
  /** Looks for SQL Servers on the hosts and ranges named (space or comma separated); `ports`: TCP ports to probe besides the ones SQL Server Browser lists. */
  intent('source.discover', {
    targets: text(4096),
    ports: v.optional(text(256)),
    /** The SQL Server Browser's UDP port, when not 1434. */
    browserPort: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535))),
    /** The user agreed to probe more hosts than are probed without asking. */
    confirmed: v.optional(v.boolean()),
  }),
  intent('source.cancelDiscovery', {}),
  intent('target.selectSubscription', { id }),
  /** Only this instance. */
  intent('target.selectInstance', { id }),
  /** Another instance, filled after the ones chosen before. */
  intent('target.addInstance', { id }),
  intent('target.removeInstance', { id }),
  /** Choose a performance data folder: the step recommends a size and checks the chosen instances against it. */
  intent('target.useSizingData', {}),
  intent('serverObjects.update', { patch: ServerObjectsPatchSchema }),
  intent('serverObjects.password', { value: text(1024) }),
  /** The logins to create become exactly these. */
  intent('serverObjects.selectLogins', { names: v.pipe(v.array(text()), v.maxLength(MAX_LOGINS)) }),
  /** Lists the source's logins (again). */
  intent('serverObjects.listLogins', {}),
  /** Nothing besides the databases: every choice off, and on to the next step. */
  intent('serverObjects.skip', {}),
  intent('engine.update', { patch: EnginePatchSchema }),
  intent('backups.update', { patch: BackupsPatchSchema }),
  intent('backups.sharePassword', { value: text(1024) }),
  intent('backups.updateDatabase', { source: text(), patch: DatabasePatchSchema }),
  intent('backups.browse', { source: text() }),
  intent('backups.check', { source: text() }),
  /** Every database without a folder takes `<parent>/<its name>` where that folder exists (then they are checked). */
  intent('backups.browseParent', {}),
  /** Every database without a share path takes `<root>\\<its name>`. */
  intent('backups.useShareRoot', { root: text(2048) }),
  /** Every database goes to `<container>/<its name>`: one container, a folder each. */
  intent('backups.useContainer', { container: text(256) }),
  /** Checks every folder not checked yet (a few at a time). */
  intent('backups.checkAll', {}),
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

const PathSchema = v.pipe(v.array(v.union([v.string(), v.number()])), v.maxLength(16));
/**
 * A change to the state the webview holds: a value set (or removed) at a path, or a part of a
 * list replaced. Each value is validated against the state schema at its path (schemaAt).
 */
export const PatchOpSchema = v.variant('op', [
  v.object({ op: v.literal('set'), path: PathSchema, value: v.unknown() }),
  v.object({ op: v.literal('delete'), path: PathSchema }),
  v.object({ op: v.literal('splice'), path: PathSchema, start: v.number(), deleteCount: v.number(), items: v.array(v.unknown()) }),
]);
export type PatchOp = v.InferOutput<typeof PatchOpSchema>;

export const HostMessageSchema = v.variant('type', [
  /** The whole state: the first message to a new document, and after a patch it could not apply. */
  v.object({ type: v.literal('state'), state: WizardStateSchema, l10n: v.optional(v.record(v.string(), v.string())) }),
  /** What changed since the last message. */
  v.object({ type: v.literal('patch'), ops: v.array(PatchOpSchema) }),
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

// ---- Patches: what changed, not the whole state --------------------------------------------

type Key = string | number;
// valibot's schema objects, as far as walking them needs.
type Walkable = v.GenericSchema & { type: string; wrapped?: Walkable; entries?: Record<string, Walkable>; item?: Walkable };

function unwrap(schema: Walkable): Walkable {
  let s = schema;
  while ((s.type === 'optional' || s.type === 'nullable' || s.type === 'nullish' || s.type === 'exact_optional') && s.wrapped) s = s.wrapped;
  return s;
}

const isObjectSchema = (s: Walkable) => (s.type === 'object' || s.type === 'strict_object' || s.type === 'loose_object') && !!s.entries;

/** The schema of the state at `path` (undefined when the state has no such place). */
export function schemaAt(path: readonly Key[], root: v.GenericSchema = WizardStateSchema): v.GenericSchema | undefined {
  let s = root as Walkable;
  for (const k of path) {
    const u = unwrap(s);
    if (isObjectSchema(u) && typeof k === 'string' && Object.prototype.hasOwnProperty.call(u.entries, k)) s = u.entries![k]!;
    else if (u.type === 'array' && u.item && typeof k === 'number' && Number.isInteger(k) && k >= 0) s = u.item;
    else return undefined;
  }
  return s;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * The operations that turn `prev` into `next`, following the schema: objects key by key, lists
 * by their common start and end (a row selected in the middle is one splice), anything else
 * (a variant such as an operation's status, a record) whole. Unchanged parts (the same object
 * or value) cost nothing, so a state the reducer changed in one place is one small operation.
 */
export function diffState(prev: unknown, next: unknown, schema: v.GenericSchema = WizardStateSchema, path: Key[] = [], out: PatchOp[] = []): PatchOp[] {
  if (prev === next) return out;
  const s = unwrap(schema as Walkable);
  if (isObjectSchema(s) && isRecord(prev) && isRecord(next)) {
    for (const [k, entry] of Object.entries(s.entries!)) {
      if (prev[k] === next[k]) continue;
      if (next[k] === undefined) out.push({ op: 'delete', path: [...path, k] });
      else diffState(prev[k], next[k], entry, [...path, k], out);
    }
    return out;
  }
  if (s.type === 'array' && s.item && Array.isArray(prev) && Array.isArray(next)) {
    let head = 0;
    while (head < prev.length && head < next.length && prev[head] === next[head]) head++;
    let tail = 0;
    while (tail < prev.length - head && tail < next.length - head && prev[prev.length - 1 - tail] === next[next.length - 1 - tail]) tail++;
    const removed = prev.length - head - tail;
    const added = next.slice(head, next.length - tail);
    if (head === 0 && tail === 0 && removed > 0 && added.length > 0 && removed !== added.length) {
      out.push({ op: 'set', path, value: next });
    } else if (removed === added.length && removed <= 64 && isObjectSchema(unwrap(s.item))) {
      // The same rows changed in place (a check's progress): each row's own changes.
      for (let i = 0; i < removed; i++) diffState(prev[head + i], next[head + i], s.item, [...path, head + i], out);
    } else {
      out.push({ op: 'splice', path, start: head, deleteCount: removed, items: added });
    }
    return out;
  }
  out.push({ op: 'set', path, value: next });
  return out;
}

/** `target` with `value` at `path`, copying only the objects on the way (the rest is shared). */
function setIn(target: unknown, path: readonly Key[], change: (old: unknown) => unknown): unknown {
  if (path.length === 0) return change(target);
  const [k, ...rest] = path;
  if (Array.isArray(target) && typeof k === 'number') {
    if (k < 0 || k >= target.length) throw new Error(`no element ${k} in a list of ${target.length}`);
    const copy = target.slice();
    copy[k] = setIn(target[k], rest, change);
    return copy;
  }
  if (isRecord(target) && typeof k === 'string') {
    const copy: Record<string, unknown> = { ...target };
    const value = setIn(target[k], rest, change);
    if (value === undefined) delete copy[k];
    else copy[k] = value;
    return copy;
  }
  throw new Error(`the state has no ${String(k)} there`);
}

/**
 * Applies a host patch, validating every value against the state schema at its path. The
 * webview refuses the whole patch when one part does not fit (and asks for the state again).
 */
export function applyPatch(state: WizardState, ops: readonly PatchOp[]): Parsed<WizardState> {
  let current: unknown = state;
  for (const op of ops) {
    const schema = schemaAt(op.path);
    const where = op.path.join('.') || '(the state)';
    if (!schema) return { ok: false, error: `${where}: not a place in the state` };
    try {
      if (op.op === 'set') {
        const r = parseWith(schema, op.value);
        if (!r.ok) return { ok: false, error: `${where}: ${r.error}` };
        current = setIn(current, op.path, () => r.value);
      } else if (op.op === 'delete') {
        current = setIn(current, op.path, () => undefined);
      } else {
        const list = unwrap(schema as Walkable);
        if (list.type !== 'array' || !list.item) return { ok: false, error: `${where}: not a list` };
        const r = parseWith(v.array(list.item), op.items);
        if (!r.ok) return { ok: false, error: `${where}: ${r.error}` };
        current = setIn(current, op.path, (old) => {
          if (!Array.isArray(old) || op.start < 0 || op.start + op.deleteCount > old.length) throw new Error('the list is not the one the change was made to');
          const copy = old.slice();
          copy.splice(op.start, op.deleteCount, ...r.value);
          return copy;
        });
      }
    } catch (e) {
      return { ok: false, error: `${where}: ${(e as Error).message}` };
    }
  }
  return { ok: true, value: current as WizardState };
}

/**
 * Fits a value to a schema: a string or list longer than its field allows is cut (a string ends
 * with "…"). Returns what was cut, by path, for the log; the full text belongs there.
 */
function fitToSchema<T>(schema: v.GenericSchema<unknown, T>, value: unknown): { value: T; clipped: string[] } {
  const clipped: string[] = [];
  let current: unknown = value;
  for (let round = 0; round < 50; round++) {
    const r = v.safeParse(schema, current);
    if (r.success) return { value: r.output, clipped };
    const fixable = r.issues.filter((i) => i.type === 'max_length' && typeof i.requirement === 'number' && i.path?.length);
    if (!fixable.length) break;
    current = structuredClone(current);
    for (const issue of fixable) {
      const keys = issue.path!.map((p) => p.key as string | number);
      const parent = keys.slice(0, -1).reduce<any>((o, k) => o?.[k], current);
      const last = keys[keys.length - 1]!;
      const found = parent?.[last];
      const max = issue.requirement as number;
      if (typeof found === 'string') parent[last] = `${found.slice(0, Math.max(0, max - 1))}…`;
      else if (Array.isArray(found)) parent[last] = found.slice(0, max);
      else continue;
      clipped.push(keys.join('.'));
    }
  }
  const left = parseWith(schema, current);
  throw new Error(`a wizard state does not fit its message schema${left.ok ? '' : `: ${left.error}`}`);
}

/**
 * Fits a host message to the schema the webview checks it against: a string or list longer than
 * its field allows is cut (a string ends with "…"), so one long error (say, a plan with a
 * hundred problems) can never make the webview refuse every later state. A patch is fitted op
 * by op, each against the state schema at its path. Returns what was cut, by path, for the log.
 */
export function fitHostMessage(message: HostMessage): { message: HostMessage; clipped: string[] } {
  if (message.type === 'state') return (({ value, clipped }) => ({ message: value, clipped }))(fitToSchema(HostMessageSchema, message));
  const clipped: string[] = [];
  const ops = message.ops.map((op): PatchOp => {
    const schema = schemaAt(op.path);
    if (!schema) throw new Error(`a wizard patch names ${op.path.join('.')}, which the state does not have`);
    const where = (inner: string) => [...op.path, inner].filter((x) => x !== '').join('.');
    if (op.op === 'set') {
      const fitted = fitToSchema(schema, op.value);
      clipped.push(...fitted.clipped.map(where));
      return { ...op, value: fitted.value };
    }
    if (op.op === 'splice') {
      const list = unwrap(schema as Walkable);
      if (list.type !== 'array' || !list.item) throw new Error(`a wizard patch splices ${op.path.join('.')}, which is not a list`);
      const fitted = fitToSchema(v.array(list.item), op.items);
      clipped.push(...fitted.clipped.map(where));
      return { ...op, items: fitted.value };
    }
    return op;
  });
  return { message: { type: 'patch', ops }, clipped };
}
