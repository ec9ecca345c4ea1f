/** `sqlmig server-objects script|apply`: Agent jobs, operators, linked servers, credentials and Database Mail for the managed instance. */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { applyServerObjects, parseScript, pickScriptObjects, scriptSourceServerObjects, ScriptFormatError, type ScriptKind, type ScriptObject } from '../../core/serverObjects';
import { table } from '../../core/text';
import { AZURE_HELP, AZURE_OPTIONS, printJson, sandboxExample, SANDBOX_CLOUD, SANDBOX_DATA, SANDBOX_PROVIDERS, str, strs } from '../azureArgs';
import { EXIT_FAILED, EXIT_OK, UsageError, type Command } from '../command';
import { connectSourceFrom, connectTargetFrom, SOURCE_HELP, SOURCE_OPTIONS, TARGET_HELP, TARGET_OPTIONS, targetRefOf } from './sqlServers';

const SCRIPT = `${SANDBOX_DATA}/server-objects.sql`;

export const serverObjectsScript: Command = {
  name: ['server-objects', 'script'],
  summary: 'Script the source\'s Agent jobs, operators, linked servers, credentials and Database Mail for Managed Instance',
  usage: 'sqlmig server-objects script --source-server S --source-user U --out FILE [--json]',
  help: `Reads the source's Agent jobs (steps, schedules, email notification), operators, alerts,
linked servers and their logins, credentials and Database Mail accounts and profiles, and
writes one T-SQL file to review: what Managed Instance supports, one batch per object, and at
the top every item it does not support with the reason (CmdExec, PowerShell, Analysis
Services and merge replication job steps, idle-CPU schedules, alerts, pager and net send,
linked servers through non-SQL Server providers, credentials holding Windows accounts, mail
accounts using the service's Windows credentials). Secrets are never read: each one the
target needs is a <FILL IN: ...> placeholder; fill them in, then "sqlmig server-objects apply".
The file is written readable only by you.

  --out FILE                    where to write the script
  --json                        print the objects, placeholders and unsupported items as JSON too

${SOURCE_HELP}

${sandboxExample([
  'read -rs SQLMIG_SOURCE_PASSWORD && export SQLMIG_SOURCE_PASSWORD   # the sandbox line\'s sourceServer.password',
  `sqlmig server-objects script ${SANDBOX_CLOUD} --source-server SQLSRC01 --source-user sqlmig --out ${SCRIPT}`,
])}

Exit code: 0, 1 when the source refuses, 2 on usage errors.`,
  options: { ...SOURCE_OPTIONS, cloud: { type: 'string' }, 'cloud-file': { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, _positionals, io) {
    const out = str(values, 'out');
    if (!out) throw new UsageError('--out FILE is required: where to write the script');
    const source = await connectSourceFrom(values, io);
    try {
      const { script, text } = await scriptSourceServerObjects(source, io.signal ? { signal: io.signal } : {});
      const path = resolve(io.cwd, out);
      await writeFile(path, text, { mode: 0o600 });
      if (values.json) {
        printJson(io, { file: path, objects: script.objects.map(({ sql: _sql, ...o }) => o), unsupported: script.unsupported, warnings: script.warnings });
        return EXIT_OK;
      }
      io.out(`Wrote ${path}: ${script.objects.length} objects scripted, ${script.unsupported.length} items not supported.`);
      if (script.objects.length) io.out(table([['Kind', 'Name', 'To fill in'], ...script.objects.map((o) => [o.kind, o.name, o.placeholders.join('; ')])]));
      if (script.unsupported.length) io.out(table([['Not supported', 'Name', 'Why'], ...script.unsupported.map((u) => [u.kind, u.name, u.reason])]));
      for (const w of script.warnings) io.out(`warning: ${w}`);
      return EXIT_OK;
    } finally {
      await source.close();
    }
  },
};

export const serverObjectsApply: Command = {
  name: ['server-objects', 'apply'],
  summary: 'Apply a reviewed server-objects script to the managed instance, object by object',
  usage: 'sqlmig server-objects apply --script FILE (--target MI_ID | --target-server H,P) [--target-user U] [--object KIND:NAME]... [--dry-run] [--json]',
  help: `Sends each object of the script (as "sqlmig server-objects script" wrote it, after your review)
in its own transaction, and prints per object: CREATED, SKIPPED (one of that name exists on
the instance: nothing is dropped or changed), REFUSED (a <FILL IN: ...> placeholder is still
there: nothing was sent) or FAILED (the instance's message, with any secret masked).

  --script FILE                 the script
  --object KIND:NAME            only this object (repeat for more), e.g. job:Full backups
  --dry-run                     only say what would be sent

${TARGET_HELP}

${AZURE_HELP}

${sandboxExample([
  `S=${SANDBOX_PROVIDERS}`,
  'read -rs SQLMIG_TARGET_PASSWORD && export SQLMIG_TARGET_PASSWORD   # the sandbox line\'s targetServer.password',
  `sqlmig server-objects apply ${SANDBOX_CLOUD} --script ${SCRIPT} \\`,
  '  --target $S/Microsoft.Sql/managedInstances/sqlmi-sandbox --target-user sqladmin --dry-run',
], 'the script: the example of sqlmig help server-objects script')}

Exit code: 0 when nothing was refused or failed, 1 otherwise, 2 on usage errors.`,
  options: { ...AZURE_OPTIONS, ...TARGET_OPTIONS, script: { type: 'string' }, object: { type: 'string', multiple: true }, 'dry-run': { type: 'boolean' } },
  async run(values, _positionals, io) {
    const file = str(values, 'script');
    if (!file) throw new UsageError('--script FILE is required');
    const path = resolve(io.cwd, file);
    let objects: ScriptObject[];
    try {
      objects = parseScript(await readFile(path, 'utf8'));
    } catch (e) {
      if (e instanceof ScriptFormatError) throw new UsageError(`${path}: ${e.message}`);
      throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
    const wanted = strs(values, 'object').map((o) => {
      const colon = o.indexOf(':');
      if (colon <= 0) throw new UsageError(`--object ${o}: write KIND:NAME, e.g. job:Nightly backup`);
      const kind = o.slice(0, colon);
      if (!['mail-account', 'mail-profile', 'operator', 'credential', 'linked-server', 'job'].includes(kind)) throw new UsageError(`--object ${o}: the kind is one of mail-account, mail-profile, operator, credential, linked-server, job`);
      return { kind: kind as ScriptKind, name: o.slice(colon + 1) };
    });
    try {
      objects = pickScriptObjects(objects, wanted);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const target = await connectTargetFrom(values, io, await targetRefOf(values, io, false));
    try {
      const { results, failed: bad } = await applyServerObjects(target, objects, { dryRun: Boolean(values['dry-run']), ...(io.signal && { signal: io.signal }) });
      if (values.json) printJson(io, { results });
      else io.out(table([['Kind', 'Name', 'Result', 'Why'], ...results.map((r) => [r.kind, r.name, r.status.toUpperCase(), r.reason ?? r.message ?? ''])]));
      return bad ? EXIT_FAILED : EXIT_OK;
    } finally {
      await target.close();
    }
  },
};
