/** Command ids, as contributed in package.json (a test keeps the two in step). */
export const COMMANDS = {
  migrate: 'sqlMigration.migrate',
  completeCutover: 'sqlMigration.completeCutover',
  cancelMigration: 'sqlMigration.cancelMigration',
  deleteMigration: 'sqlMigration.deleteMigration',
  /** Log Replay Service restores: the guarded completion (their cutover) and stop. */
  completeRestore: 'sqlMigration.completeRestore',
  stopRestore: 'sqlMigration.stopRestore',
  /** A succeeded migration or restore: its source against its copy on the instance. */
  validateMigration: 'sqlMigration.validateMigration',
  /** A succeeded migration or restore: the workload on the instance against the source's baseline. */
  compareBaseline: 'sqlMigration.compareBaseline',
  /** A migration or restore: its source's logins, TDE certificate and server objects moved to its instance. */
  migrateServerObjects: 'sqlMigration.migrateServerObjects',
  /** Lists a managed instance's Log Replay Service restores too. */
  watchInstance: 'sqlMigration.watchInstance',
  refresh: 'sqlMigration.refresh',
  scanBackupFolder: 'sqlMigration.scanBackupFolder',
  signIn: 'sqlMigration.signIn',
  selectCloud: 'sqlMigration.selectCloud',
  openSandboxGuide: 'sqlMigration.openSandboxGuide',
  showMigrationDetails: 'sqlMigration.showMigrationDetails',
  showLog: 'sqlMigration.showLog',
  /** The MSSQL extension's Object Explorer: a server node into the wizard's source step. */
  migrateMssqlServer: 'sqlMigration.migrateMssqlServer',
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

/**
 * Commands the Migrations view's own rows run (a click on "Filter and group", on "Show more"),
 * registered by the view and not contributed to the palette.
 */
export const INTERNAL_COMMANDS = {
  viewOptions: 'sqlMigration.viewOptions',
  showMore: 'sqlMigration.showMore',
} as const;

export const VIEW_MIGRATIONS = 'sqlMigration.migrations';
export const WIZARD_PANEL = 'sqlMigration.wizard';
export const DETAILS_PANEL = 'sqlMigration.details';
export const REPORT_PANEL = 'sqlMigration.assessmentReport';
export const SCAN_SCHEME = 'sqlmigration-scan';
