/** Command ids, as contributed in package.json (a test keeps the two in step). */
export const COMMANDS = {
  migrate: 'sqlMigration.migrate',
  completeCutover: 'sqlMigration.completeCutover',
  cancelMigration: 'sqlMigration.cancelMigration',
  deleteMigration: 'sqlMigration.deleteMigration',
  refresh: 'sqlMigration.refresh',
  scanBackupFolder: 'sqlMigration.scanBackupFolder',
  signIn: 'sqlMigration.signIn',
  selectCloud: 'sqlMigration.selectCloud',
  openSandboxGuide: 'sqlMigration.openSandboxGuide',
  showMigrationDetails: 'sqlMigration.showMigrationDetails',
  showLog: 'sqlMigration.showLog',
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

export const VIEW_MIGRATIONS = 'sqlMigration.migrations';
export const WIZARD_PANEL = 'sqlMigration.wizard';
export const DETAILS_PANEL = 'sqlMigration.details';
export const REPORT_PANEL = 'sqlMigration.assessmentReport';
export const SCAN_SCHEME = 'sqlmigration-scan';
