/**
 * The local backup-chain check shown per database in the wizard: reads the headers of every
 * file in the folder with the backup engine and plans the restore the migration service would
 * make. The service restores each database from its own folder, so a folder that also holds
 * another database's backups is a problem, not a warning.
 */
import { basename } from 'node:path';
import { stat } from 'node:fs/promises';
import * as l10n from '@vscode/l10n';
import { formatIsoWithOffset, formatLsn, planRestores, scanPaths } from '../../core/backup';
import { ActionableError } from '../errors';
import type { BackupCheckService, ChainCheckResult } from './types';

export const localBackupCheck: BackupCheckService = {
  availability: { available: true },

  async checkFolder(folder, database, mode, signal) {
    let isDir = false;
    try {
      isDir = (await stat(folder)).isDirectory();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new ActionableError(
        l10n.t('Cannot read the folder {0}: {1}.', folder, code === 'ENOENT' ? l10n.t('it does not exist') : code === 'EACCES' ? l10n.t('permission denied') : (e as Error).message),
        l10n.t('Choose a folder on this machine that holds the backups of {0}.', database),
      );
    }
    if (!isDir) throw new ActionableError(l10n.t('{0} is a file, not a folder.', folder), l10n.t('Choose the folder that holds the backups of {0}.', database));

    const readings = await scanPaths([folder], { signal });
    const plans = planRestores(readings, { mode });
    const mine = plans.filter((p) => p.name.toLowerCase() === database.toLowerCase());
    const others = [...new Set(plans.filter((p) => !mine.includes(p)).map((p) => p.name))].sort();
    const result: ChainCheckResult = { database, folder, ready: false, steps: [], problems: [], warnings: [], ignored: [] };

    if (others.length) {
      result.problems.push(l10n.t('The folder also holds backups of {0}. The migration service restores each database from its own folder: move them out or choose a folder per database.', others.join(', ')));
    }
    if (mine.length === 0) {
      const found = readings.filter((r) => r.header).length;
      result.problems.push(
        found === 0
          ? l10n.t('No readable SQL Server backups in this folder ({0} files looked at).', readings.length)
          : l10n.t('No backups of {0} in this folder.', database),
      );
      return result;
    }
    // Two lineages with one name (a database restored from elsewhere): plan the newest, say so.
    const plan = mine.reduce((a, b) => ((b.restoresTo?.lsn ?? 0n) > (a.restoresTo?.lsn ?? 0n) ? b : a));
    if (mine.length > 1) result.warnings.push(l10n.t('Backups of {0} from {1} different database lineages are in this folder; the newest chain is shown.', database, mine.length));

    result.ready = plan.ready && others.length === 0;
    result.problems.push(...plan.problems);
    result.warnings.push(...plan.warnings);
    result.steps = plan.plan.map((s) => ({
      backupType: s.backupType,
      firstLsn: formatLsn(s.firstLsn),
      lastLsn: formatLsn(s.lastLsn),
      ...(s.backupFinishDate && { finished: formatIsoWithOffset(s.backupFinishDate, plan.utcOffsetMinutes) }),
      files: s.files.map((f) => basename(f)),
    }));
    result.ignored = plan.ignored.filter((i) => i.code !== 'other-database').map((i) => ({ file: basename(i.path), reason: i.reason }));
    const last = plan.plan[plan.plan.length - 1];
    if (last) result.lastBackupName = basename(last.files[last.files.length - 1]!);
    return result;
  },
};
