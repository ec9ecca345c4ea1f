/**
 * The real backups in ../shared/data/backups (written by SQL Server 2008 R2 and 2016). Tests
 * that use them skip with a message when the folder is absent, as in a user's fresh clone.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REAL_BACKUPS = resolve(__dirname, '../../../shared/data/backups');
export const HAVE_REAL_BACKUPS = existsSync(join(REAL_BACKUPS, 'RestoreTimeClean'));

/** `test(name, realOnly, fn)`: skips with the reason when the corpus is missing. */
export const realOnly = HAVE_REAL_BACKUPS
  ? {}
  : { skip: `real backups not found at ${REAL_BACKUPS} (they ship in ../shared/data/backups beside the project)` };

export function real(...parts: string[]): string {
  return join(REAL_BACKUPS, ...parts);
}
