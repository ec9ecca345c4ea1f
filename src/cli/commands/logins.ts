/** `sqlmig logins plan|apply`: the source's logins, roles and permissions, created on the managed instance. */
import {
  addMapping, applyLogins, displayPlan, emptyMapping, maskPasswordHashes, planStatements, readLoginPlan,
  type DomainMapping, type LoginPlan, type LoginSelection, type RemapScope,
} from '../../core/serverObjects';
import { table } from '../../core/text';
import { AZURE_HELP, AZURE_OPTIONS, printJson, sandboxExample, SANDBOX_CLOUD, SANDBOX_PROVIDERS, strs } from '../azureArgs';
import { EXIT_FAILED, EXIT_OK, UsageError, type Command, type Io, type Values } from '../command';
import { connectSourceFrom, connectTargetFrom, SOURCE_HELP, SOURCE_OPTIONS, TARGET_HELP, TARGET_OPTIONS, targetRefOf } from './sqlServers';

const OPTIONS = {
  ...AZURE_OPTIONS, ...SOURCE_OPTIONS, ...TARGET_OPTIONS,
  domain: { type: 'string', multiple: true },
  map: { type: 'string', multiple: true },
  login: { type: 'string', multiple: true },
  pattern: { type: 'string', multiple: true },
  'remap-users': { type: 'string', multiple: true },
  'show-sql': { type: 'boolean' },
} as const;

const SELECTION_HELP = `Logins:
  --login NAME                  only this login (repeat for more)
  --pattern GLOB                only logins matching it, * and ? as wildcards (e.g. CONTOSO\\*)
  --domain NETBIOS=DNS          Windows domain to Microsoft Entra domain, e.g. CONTOSO=contoso.com
                                (users become name@contoso.com, groups keep their name)
  --map LOGIN=ENTRA             one Windows login's Microsoft Entra name, e.g. CONTOSO\\svc=svc-app@contoso.com`;

function mappingOf(values: Values): DomainMapping {
  const m = emptyMapping();
  try {
    for (const d of strs(values, 'domain')) addMapping(m, d);
    for (const d of strs(values, 'map')) {
      if (!d.slice(0, d.indexOf('=')).includes('\\')) throw new Error(`--map ${d}: the login must be DOMAIN\\name`);
      addMapping(m, d);
    }
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return m;
}

function selectionOf(values: Values): LoginSelection {
  return { names: strs(values, 'login'), patterns: strs(values, 'pattern') };
}

async function buildPlan(values: Values, io: Io) {
  const ref = await targetRefOf(values, io, false);
  const mapping = mappingOf(values);
  const source = await connectSourceFrom(values, io);
  try {
    const target = await connectTargetFrom(values, io, ref);
    try {
      const migration = await readLoginPlan(source, target, { mapping, selection: selectionOf(values), ...(io.signal && { signal: io.signal }) });
      return { migration, target, mapping };
    } catch (e) {
      await target.close();
      throw e;
    }
  } finally {
    await source.close();
  }
}

function printPlan(io: Io, plan: LoginPlan, showSql: boolean): void {
  io.out(table([
    ['Login', 'On the target', 'Action', 'Why / what follows'],
    ...plan.logins.map((l) => [
      l.source,
      l.action === 'create' ? `${l.target} (${l.targetKind})` : l.action === 'skip' ? l.target ?? '' : '',
      l.action === 'create' ? 'CREATE' : l.action === 'skip' ? 'SKIP' : 'EXCLUDED',
      l.action === 'create' ? [...l.then.map((t) => t.what), ...l.notes].join('; ') : l.reason,
    ]),
  ]));
  for (const r of plan.roles) io.out(`server role ${r.name}: ${r.action === 'create' ? 'CREATE' : 'exists'}${r.then.length ? ` (${r.then.map((t) => t.what).join('; ')})` : ''}`);
  if (showSql) io.out(`\n${planStatements(plan).map(maskPasswordHashes).join('\n')}`);
}

const planExample = (verb: string) => sandboxExample([
  `S=${SANDBOX_PROVIDERS}`,
  'read -rs SQLMIG_SOURCE_PASSWORD && export SQLMIG_SOURCE_PASSWORD   # the sandbox line\'s sourceServer.password',
  'read -rs SQLMIG_TARGET_PASSWORD && export SQLMIG_TARGET_PASSWORD   # the sandbox line\'s targetServer.password',
  `sqlmig logins ${verb} ${SANDBOX_CLOUD} --source-server SQLSRC01 --source-user sqlmig \\`,
  `  --target $S/Microsoft.Sql/managedInstances/sqlmi-sandbox --target-user sqladmin --domain CONTOSO=contoso.com${verb === 'apply' ? ' --remap-users Reporting' : ''}`,
]);

export const loginsPlan: Command = {
  name: ['logins', 'plan'],
  summary: 'List what migrating the logins would do on the managed instance (a dry run)',
  usage: 'sqlmig logins plan --source-server S --source-user U (--target MI_ID | --target-server H,P) [--target-user U] [--domain D=dns]... [--login N]... [--pattern P]... [--show-sql] [--json]',
  help: `Reads the source's logins (SQL logins with their SID and password hash, CHECK_POLICY,
CHECK_EXPIRATION, default database and language; Windows logins and groups; disabled ones),
server role memberships and server permissions, reads what the managed instance holds, and
lists for every login what apply would do: CREATE (a SQL login WITH PASSWORD = <hash> HASHED,
SID = <sid>, so restored databases' users stay mapped; a Windows login or group as a Microsoft
Entra login FROM EXTERNAL PROVIDER through --domain), SKIP (it exists on the target, its name
cannot be an Entra login, or its domain has no mapping) or EXCLUDED (system and
certificate-mapped logins), each with the reason. Nothing is changed. --show-sql prints every
statement apply would send (password hashes are not shown).

${SELECTION_HELP}

${SOURCE_HELP}

${TARGET_HELP}

${AZURE_HELP}

${planExample('plan')}

Exit code: 0, 1 when a server refuses, 2 on usage errors.`,
  options: OPTIONS,
  async run(values, _positionals, io) {
    const { migration: { plan }, target } = await buildPlan(values, io);
    await target.close();
    if (values.json) printJson(io, { ...displayPlan(plan), statements: planStatements(plan).map(maskPasswordHashes) });
    else printPlan(io, plan, Boolean(values['show-sql']));
    return EXIT_OK;
  },
};

export const loginsApply: Command = {
  name: ['logins', 'apply'],
  summary: 'Create the source\'s logins on the managed instance, and map restored databases\' users to them',
  usage: 'sqlmig logins apply --source-server S --source-user U (--target MI_ID | --target-server H,P) [--target-user U] [--domain D=dns]... [--login N]... [--pattern P]... [--remap-users DB]... [--json]',
  help: `Does what "sqlmig logins plan" lists: creates each login in its own transaction (created
whole or not at all), then adds its server role memberships and permissions one by one.
What exists on the target is skipped, never dropped or changed. Prints per login: created,
skipped (why), excluded (why) or failed (the server's message), and each membership or
permission that failed.

--remap-users DB (repeat, or ALL for every database on the target) then maps the users of
restored databases to the new logins: Windows users and groups to the Microsoft Entra login
their Windows login became (ALTER USER ... WITH LOGIN = ..., in the database); SQL users find
their logins by SID by themselves and are reported, as are orphaned users.

${SELECTION_HELP}

${SOURCE_HELP}

${TARGET_HELP}

${AZURE_HELP}

${planExample('apply')}

Exit code: 0 when nothing failed, 1 when a login or a user mapping failed, 2 on usage errors.`,
  options: OPTIONS,
  async run(values, _positionals, io) {
    const { migration, target, mapping } = await buildPlan(values, io);
    try {
      const remap = strs(values, 'remap-users');
      const scope: RemapScope | undefined = remap.some((d) => d.toUpperCase() === 'ALL') ? { all: true } : remap.length ? { databases: remap } : undefined;
      const { users, notOnTarget, failed, ...result } = await applyLogins(target, migration, { mapping, ...(scope && { remap: scope }), ...(io.signal && { signal: io.signal }) });
      if (notOnTarget.length) io.err(`warning: not on the target (yet): ${notOnTarget.join(', ')}`);
      if (values.json) {
        printJson(io, { ...result, users });
        return failed ? EXIT_FAILED : EXIT_OK;
      }
      io.out(table([
        ['Login', 'On the target', 'Result', 'Details'],
        ...result.logins.map((l) => [
          l.source, l.target ?? '', l.status.toUpperCase(),
          [l.reason, l.message, ...l.then.map((t) => (t.ok ? t.what : `${t.what} FAILED: ${t.message}`)), ...l.notes].filter(Boolean).join('; '),
        ]),
      ]));
      for (const r of result.roles) io.out(`server role ${r.name}: ${r.status}${r.message ? ` (${r.message})` : ''}${r.then.filter((t) => !t.ok).map((t) => `; ${t.what} FAILED: ${t.message}`).join('')}`);
      if (users.length) {
        io.out('');
        io.out(table([['Database', 'User', 'Result', 'Login / why'], ...users.map((u) => [u.database, u.user, u.status.toUpperCase(), [u.login, u.message].filter(Boolean).join(': ')])]));
      }
      return failed ? EXIT_FAILED : EXIT_OK;
    } finally {
      await target.close();
    }
  },
};
