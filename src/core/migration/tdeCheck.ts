/**
 * A check before a migration starts: a database encrypted with TDE restores only on an
 * instance that holds its certificate (the service fails the restore with "Cannot find server
 * certificate with thumbprint ..."). Given the source's TDE databases and the thumbprints the
 * target holds, every database of the plan whose certificate is missing is a problem that
 * keeps the plan from starting, with what to do.
 *
 * To wire: where a plan's problems are gathered before anything is uploaded or started, call
 * tdeProblems(plan.planned.map((d) => d.source), tdeDatabases, targetThumbprints) and add its
 * messages to the refusal list (the same list blockingProblems returns).
 */
import type { TdeDatabase } from '../tde/sourceCertificates';
import { ENCRYPTED_STATES } from '../tde/plan';

export interface TdeProblem {
  database: string;
  code: 'tde-certificate-missing' | 'tde-not-certificate';
  thumbprint: string;
  message: string;
}

export function tdeProblems(databases: readonly string[], tde: readonly TdeDatabase[], targetThumbprints: ReadonlySet<string>): TdeProblem[] {
  const out: TdeProblem[] = [];
  for (const name of databases) {
    const d = tde.find((x) => x.database.toLowerCase() === name.toLowerCase() && ENCRYPTED_STATES.has(x.encryptionState));
    if (!d) continue;
    if (d.encryptorType.toUpperCase() !== 'CERTIFICATE') {
      out.push({ database: d.database, code: 'tde-not-certificate', thumbprint: d.thumbprint,
        message: `${d.database} is encrypted with TDE by an ${d.encryptorType.toLowerCase()} (EKM): set up customer-managed TDE with that key on the instance before migrating it` });
      continue;
    }
    if (!targetThumbprints.has(d.thumbprint.toUpperCase().replace(/^0X/, '0x'))) {
      out.push({ database: d.database, code: 'tde-certificate-missing', thumbprint: d.thumbprint,
        message: `${d.database} is encrypted with TDE certificate ${d.certificateName ?? '(unknown)'} (thumbprint ${d.thumbprint}), which the managed instance does not hold: its restore would fail. Upload it first: sqlmig tde apply --database ${d.database} ...` });
    }
  }
  return out;
}
