/** `sqlmig validate`: each migrated database, source against target, one report each. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { formatValidation, validateDatabase, validationToHtml, validationToJson, type ValidationReport } from '../../core/validation';
import { AZURE_OPTIONS, printJson, sandboxExample, SANDBOX_CLOUD, SANDBOX_PROVIDERS, str, strs } from '../azureArgs';
import { EXIT_FAILED, EXIT_OK, UsageError, type Command } from '../command';
import { connectSourceFrom, connectTargetFrom, SOURCE_HELP, SOURCE_OPTIONS, TARGET_HELP, TARGET_OPTIONS, targetRefOf } from './sqlServers';
import { numberOption } from './sizingArgs';

export const validate: Command = {
  name: ['validate'],
  summary: 'Validate migrated databases, source against target: objects, rows, checksums, options, users, TDE',
  usage: 'sqlmig validate --source-server S --source-user U (--target MI_ID | --target-server H,P) --database NAME[=TARGET]... [--early] [--out DIR] [--json]',
  help: `Compares each database on the source with its copy on the managed instance, reading both
(never writing): objects by type; rows per table (sys.partitions per partition, and COUNT_BIG
for the tables checksummed whole); a checksum per table, CHECKSUM_AGG(BINARY_CHECKSUM(*)) over the
whole table up to --full-rows rows, over the first and last --sample-rows rows in clustered key
order above that (a bounded cost; large heaps get counts only); compatibility level; database
options that differ; users whose login is missing; TDE. Each check passes or fails with its
differences listed; what Managed Instance does by itself (FULL recovery, compatibility below 100
raised to 100) is listed as expected, not a failure. The method is written in every report.

Run it with --early while the source is still live for an early look (in-flight changes show as
differences), and after the cutover for the final word.

  --database NAME[=TARGET]      a database, and its name on the target when it differs (repeat)
  --early                       the source is still live: say so in the reports
  --full-rows N                 checksum whole tables up to N rows (default 100000)
  --sample-rows N               rows at each end of larger tables (default 1000)
  --no-checksums                counts and the catalog only
  --out DIR                     write <database>.html and <database>.json there
  --json                        print the reports as JSON

${SOURCE_HELP}

${TARGET_HELP}

${sandboxExample([
  `S=${SANDBOX_PROVIDERS}`,
  'read -rs SQLMIG_SOURCE_PASSWORD && export SQLMIG_SOURCE_PASSWORD   # the sandbox line\'s sourceServer.password',
  'read -rs SQLMIG_TARGET_PASSWORD && export SQLMIG_TARGET_PASSWORD   # the sandbox line\'s targetServer.password',
  `sqlmig validate ${SANDBOX_CLOUD} --source-server SQLSRC01 --source-user sqlmig \\`,
  '  --target $S/Microsoft.Sql/managedInstances/sqlmi-sandbox --target-user sqladmin --database Sales --out /tmp/sqlmig-validation',
], 'after "npm run demo" has migrated Sales, or any migration of the sandbox has restored it')}

Exit code: 0 when every database passes, 1 when one fails (or cannot be read), 2 on usage errors.`,
  options: {
    ...AZURE_OPTIONS, ...SOURCE_OPTIONS, ...TARGET_OPTIONS, database: { type: 'string', multiple: true }, early: { type: 'boolean' },
    'full-rows': { type: 'string' }, 'sample-rows': { type: 'string' }, 'no-checksums': { type: 'boolean' }, out: { type: 'string' }, json: { type: 'boolean' },
  },
  async run(values, _positionals, io) {
    const databases = strs(values, 'database').map((d) => {
      const [name, target] = d.split('=', 2).map((x) => x.trim());
      if (!name) throw new UsageError(`--database ${d}: name the database`);
      return { name, target: target || name };
    });
    if (!databases.length) throw new UsageError('--database NAME is required (repeat for more)');
    const fullChecksumRows = numberOption(values, 'full-rows', 0, 1e12);
    const sampleRows = numberOption(values, 'sample-rows', 1, 1e9);
    const out = str(values, 'out');
    const ref = await targetRefOf(values, io, false);
    const source = await connectSourceFrom(values, io);
    const reports: ValidationReport[] = [];
    const errors: { database: string; error: string }[] = [];
    try {
      const target = await connectTargetFrom(values, io, ref);
      try {
        for (const d of databases) {
          try {
            reports.push(await validateDatabase(source, target, {
              database: d.name, targetDatabase: d.target, phase: values.early ? 'early' : 'final', ...(io.signal && { signal: io.signal }),
              ...(fullChecksumRows !== undefined && { fullChecksumRows }), ...(sampleRows !== undefined && { sampleRows }), ...(values['no-checksums'] && { checksums: false }),
            }));
          } catch (e) {
            if (io.signal?.aborted) throw e;
            errors.push({ database: d.name, error: (e as Error).message });
          }
        }
      } finally {
        await target.close();
      }
    } finally {
      await source.close();
    }
    const written: string[] = [];
    if (out) {
      const dir = resolve(io.cwd, out);
      await mkdir(dir, { recursive: true });
      for (const r of reports) {
        const base = join(dir, r.source.database.replace(/[^\w.-]+/g, '_'));
        await writeFile(`${base}.html`, validationToHtml(r));
        await writeFile(`${base}.json`, validationToJson(r));
        written.push(`${base}.html`, `${base}.json`);
      }
    }
    if (values.json) printJson(io, { reports, errors });
    else {
      for (const r of reports) io.out(formatValidation(r));
      for (const e of errors) io.out(`${e.database}: COULD NOT VALIDATE: ${e.error}`);
      for (const w of written) io.out(`Wrote ${w}`);
    }
    return errors.length || reports.some((r) => !r.passed) ? EXIT_FAILED : EXIT_OK;
  },
};
