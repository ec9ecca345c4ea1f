/** Online (log shipping, ends with a cutover) or offline (ends by itself after the last backup). */
export const MIGRATION_MODES = ['online', 'offline'] as const;
export type MigrationMode = (typeof MIGRATION_MODES)[number];
