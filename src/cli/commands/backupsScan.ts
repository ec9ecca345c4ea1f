/** `sqlmig backups scan`: read backup headers locally and plan each database's restore chain. */
import { formatScan, parseStopAt, planRestores, scanPaths, scanReportToJson, type StopAt } from '../../core/backup';
import { EXIT_FAILED, EXIT_OK, UsageError, type Command } from '../command';

export const backupsScan: Command = {
  name: ['backups', 'scan'],
  summary: 'Read backup headers locally and show each database\'s restore plan',
  usage: 'sqlmig backups scan <path>... [--database NAME] [--stop-at ISO] [--offline] [--json]',
  help: `Reads the header of every backup file under the given files and folders (only a few
kilobytes of each, never the data) and, for each database, shows the restore plan the
migration service will follow: the latest complete full backup, the latest differential
based on it, then the log backups that continue the LSN chain. Every other file is listed
with the reason it is left out (superseded, LSN gap, missing stripe, other database, ...).

Options:
  --database NAME   plan only this database; files of others are "other database"
  --stop-at ISO     restore to a point in time, e.g. 2026-11-01T09:12:00 (server local
                    time) or 2026-11-01T08:12:00Z
  --offline         plan for an offline migration (a SIMPLE recovery database is fine)
  --json            print one JSON document: { files: [...], databases: [...] }

Exit code: 0 when every database (or the one named) has a ready plan, 1 otherwise,
2 on usage errors.

Examples:
  sqlmig backups scan D:\\Backups\\Sales
  sqlmig backups scan ./backups --database Sales --stop-at 2026-11-01T09:12:00 --json`,
  options: {
    database: { type: 'string' },
    'stop-at': { type: 'string' },
    offline: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  positionals: true,
  async run(values, positionals, io) {
    if (positionals.length === 0) throw new UsageError('name at least one backup file or folder to scan');
    let stopAt: StopAt | undefined;
    if (typeof values['stop-at'] === 'string') {
      try {
        stopAt = parseStopAt(values['stop-at']);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    }
    const database = typeof values.database === 'string' ? values.database : undefined;
    const showProgress = io.isTty && !values.json;
    const readings = await scanPaths(positionals, {
      ...(io.signal && { signal: io.signal }),
      ...(showProgress && { onProgress: (done, total) => done % 200 === 0 && io.err(`\rread ${done} of ${total} files`) }),
    });
    const plans = planRestores(readings, {
      ...(database !== undefined && { database }),
      ...(stopAt && { stopAt }),
      mode: values.offline ? 'offline' : 'online',
    });
    if (values.json) io.out(JSON.stringify(scanReportToJson(readings, plans), null, 2));
    else io.out(formatScan(readings, plans, io.cwd));
    return plans.length > 0 && plans.every((p) => p.ready) ? EXIT_OK : EXIT_FAILED;
  },
};
