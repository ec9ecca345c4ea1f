/** `sqlmig tde plan|apply`: the certificates of TDE databases, moved to the managed instance before their migration. */
import { applyTdePlan, readTargetThumbprints, readTdePlan, tdeUploadFailed, type TdePlan } from '../../core/tde';
import { table } from '../../core/text';
import { AZURE_HELP, AZURE_OPTIONS, printJson, sandboxExample, SANDBOX_CLOUD, SANDBOX_PROVIDERS, str, strs } from '../azureArgs';
import { EXIT_FAILED, EXIT_OK, type Command, type Io, type Values } from '../command';
import { connectSourceFrom, connectTargetFrom, SOURCE_HELP, SOURCE_OPTIONS, TARGET_HELP, TARGET_OPTIONS, targetRefOf, type TargetRef } from './sqlServers';

const OPTIONS = { ...AZURE_OPTIONS, ...SOURCE_OPTIONS, ...TARGET_OPTIONS, database: { type: 'string', multiple: true } } as const;

/** The plan, with the target's certificates when a SQL connection to it is possible (it is optional for TDE: the upload goes through ARM). */
async function plan(values: Values, io: Io, ref: TargetRef) {
  const canAsk = str(values, 'target-user') || str(values, 'target-auth') || str(values, 'target-server') || io.env.SQLMIG_TARGET_ACCESS_TOKEN;
  const q = io.signal ? { signal: io.signal } : {};
  const source = await connectSourceFrom(values, io);
  try {
    const target = await readTargetThumbprints(
      canAsk ? () => connectTargetFrom(values, io, ref) : 'not connected to the instance (no --target-user or token): certificates it already holds are found out by the upload ("already there")',
      q,
    );
    const { plan: p, note } = await readTdePlan(source, target, { databases: strs(values, 'database'), ...q });
    return { source, plan: p, note };
  } catch (e) {
    await source.close();
    throw e;
  }
}

function printPlan(io: Io, p: TdePlan, note?: string): void {
  if (!p.items.length) io.out('No database chosen is encrypted with TDE: nothing to do.');
  else io.out(table([
    ['Certificate', 'Thumbprint', 'Databases', 'Action', 'Why'],
    ...p.items.map((i) => [i.certificate ?? '', i.thumbprint, i.databases.join(', '), i.action === 'upload' ? 'UPLOAD' : i.action === 'on-target' ? 'ON TARGET' : 'CANNOT', i.reason ?? '']),
  ]));
  if (p.notEncrypted.length) io.out(`not encrypted (nothing to do): ${p.notEncrypted.join(', ')}`);
  if (note) io.out(`note: ${note}`);
}

const example = (verb: string) => sandboxExample([
  `S=${SANDBOX_PROVIDERS}`,
  'read -rs SQLMIG_SOURCE_PASSWORD && export SQLMIG_SOURCE_PASSWORD   # the sandbox line\'s sourceServer.password',
  `sqlmig tde ${verb} ${SANDBOX_CLOUD} --source-server SQLSRC01 --source-user sqlmig \\`,
  '  --target $S/Microsoft.Sql/managedInstances/sqlmi-sandbox --database Payroll',
]);

const DATABASE_HELP = `  --database NAME               only this database's certificate (repeat for more; default: every TDE database)`;

export const tdePlan: Command = {
  name: ['tde', 'plan'],
  summary: 'List the TDE certificates the chosen databases need on the managed instance (a dry run)',
  usage: 'sqlmig tde plan --source-server S --source-user U --target MI_ID [--database NAME]... [--target-user U] [--json]',
  help: `Finds the databases encrypted with TDE (sys.dm_database_encryption_keys) and the certificate
in master each one's key uses, and says for each certificate: UPLOAD, ON TARGET (the instance
holds it; known when a SQL connection to the instance is given) or CANNOT, with why (a key
protected by EKM, a certificate without private key, or one whose private key is protected by a
password instead of the master key). A TDE database cannot be restored on the instance before
its certificate is there. Nothing is read of the private keys and nothing is changed.

${DATABASE_HELP}

${SOURCE_HELP}

${TARGET_HELP}

${AZURE_HELP}

${example('plan')}

Exit code: 0, 1 when a server refuses, 2 on usage errors.`,
  options: OPTIONS,
  async run(values, _positionals, io) {
    const ref = await targetRefOf(values, io, false);
    const { source, plan: p, note } = await plan(values, io, ref);
    await source.close();
    if (values.json) printJson(io, { ...p, ...(note && { note }) });
    else printPlan(io, p, note);
    return EXIT_OK;
  },
};

export const tdeApply: Command = {
  name: ['tde', 'apply'],
  summary: 'Upload the TDE certificates of the chosen databases to the managed instance',
  usage: 'sqlmig tde apply --source-server S --source-user U --target MI_ID [--database NAME]... [--json]',
  help: `For each certificate "sqlmig tde plan" marks UPLOAD: reads it and its private key from the
source over the connection (CERTENCODED, and CERTPRIVATEKEY with a one-time password: no file
on the source, no share), builds a password-protected PKCS#12 in memory, and uploads it to
the instance through Azure Resource Manager (POST .../tdeCertificates, a long-running
operation). Nothing of the key is written to disk, logged or kept; the PFX and its password
exist only in this process's memory, for the upload. A certificate the instance already holds
is reported, not uploaded twice. Then start the databases' migrations.

The login needs CONTROL on the certificates (sysadmin has it) and master's database master key
must be open to it (the service master key opens it, as for TDE itself).

${DATABASE_HELP}

${SOURCE_HELP}

${TARGET_HELP}

${AZURE_HELP}

${example('apply')}

Exit code: 0 when every certificate is on the instance, 1 when one is not (CANNOT or failed),
2 on usage errors.`,
  options: OPTIONS,
  async run(values, _positionals, io) {
    const ref = await targetRefOf(values, io, true);
    const { source, plan: p, note } = await plan(values, io, ref);
    try {
      const results = await applyTdePlan(source, ref.session!.ctx, ref.arm!, p, io.signal ? { signal: io.signal } : {});
      const failed = tdeUploadFailed(results);
      if (values.json) printJson(io, { results, ...(note && { note }) });
      else if (!results.length) io.out('No database chosen is encrypted with TDE: nothing to do.');
      else io.out(table([
        ['Certificate', 'Thumbprint', 'Databases', 'Result', 'Details'],
        ...results.map((r) => [r.certificate ?? '', r.thumbprint, r.databases.join(', '), r.status.toUpperCase(), r.reason ?? r.message ?? '']),
      ]));
      return failed ? EXIT_FAILED : EXIT_OK;
    } finally {
      await source.close();
    }
  },
};
