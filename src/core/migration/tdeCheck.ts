/**
 * A check before a migration starts: a database encrypted with TDE restores only on an
 * instance that holds its certificate (the service fails the restore with "Cannot find server
 * certificate with thumbprint ..."). Given the source's TDE databases and the thumbprints the
 * target holds, every database of the plan whose certificate is missing is a problem that
 * keeps the plan from starting, with what to do.
 *
 * What cannot be seen is said, never assumed: a TDE database whose target could not be asked
 * is refused until the DBA accepts it with a reason (tde-unverified); a source that could not
 * be read is a warning (no database is known to be encrypted). A certificate seen missing
 * cannot be accepted: the restore would fail.
 */
import { readTargetCertificates } from '../serverObjects/targetCatalog';
import { readProperties } from '../source/inventory';
import type { SourceConnection } from '../source/connection';
import { readTdeDatabases, type TdeDatabase } from '../tde/sourceCertificates';
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

export type TdeProblemCode = TdeProblem['code'] | 'tde-unverified';

/** What a DBA may start despite, with a reason: what sqlmig cannot see, never a certificate it saw missing. */
export const ACCEPTABLE_TDE_PROBLEMS: ReadonlySet<TdeProblemCode> = new Set(['tde-unverified', 'tde-not-certificate']);

/** What was found out before a start: the source's TDE databases and the target's certificates, or why not. */
export type TdeEvidence =
  | { source: 'unreadable'; reason: string }
  | { source: 'read'; databases: readonly TdeDatabase[]; target: { thumbprints: ReadonlySet<string> } | { unreachable: string } };

export interface TdeVerdict {
  /** Problems that keep the plan from starting, one per line. */
  refused: string[];
  warnings: string[];
}

const acceptable = (code: TdeProblemCode) => (ACCEPTABLE_TDE_PROBLEMS.has(code) ? ` [${code}: can be accepted with a reason]` : '');

/** The plan's databases (source names) against the evidence; `accepted`: codes the DBA accepted with a reason. */
export function tdeVerdict(databases: readonly string[], evidence: TdeEvidence, accepted: readonly string[] = []): TdeVerdict {
  if (evidence.source === 'unreadable') {
    return { refused: [], warnings: [`TDE was not checked: ${evidence.reason}. A database encrypted with TDE fails to restore until its certificate is on the instance ("sqlmig tde plan" lists them).`] };
  }
  const verdict: TdeVerdict = { refused: [], warnings: [] };
  const problems: { code: TdeProblemCode; message: string }[] = [];
  if ('unreachable' in evidence.target) {
    const wanted = new Set(databases.map((d) => d.toLowerCase()));
    for (const d of evidence.databases) {
      if (!wanted.has(d.database.toLowerCase()) || !ENCRYPTED_STATES.has(d.encryptionState)) continue;
      problems.push({ code: 'tde-unverified', message: `${d.database} is encrypted with TDE (certificate ${d.certificateName ?? '(unknown)'}, thumbprint ${d.thumbprint}), and whether the managed instance holds that certificate could not be checked: ${evidence.target.unreachable}` });
    }
  } else problems.push(...tdeProblems(databases, evidence.databases, evidence.target.thumbprints));
  for (const p of problems) {
    if (accepted.includes(p.code) && ACCEPTABLE_TDE_PROBLEMS.has(p.code)) verdict.warnings.push(`${p.message} [${p.code}: accepted]`);
    else verdict.refused.push(`${p.message}${acceptable(p.code)}`);
  }
  return verdict;
}

/**
 * Reads the evidence: the source's TDE databases, then (only when a planned database is
 * encrypted) the certificates in the target's master. `connectTarget` is why the target
 * cannot be asked when it is a string (no login for it was given).
 */
export async function readTdeEvidence(o: {
  databases: readonly string[];
  connectSource: () => Promise<SourceConnection>;
  connectTarget: (() => Promise<SourceConnection>) | string;
  signal?: AbortSignal;
}): Promise<TdeEvidence> {
  const q = o.signal ? { signal: o.signal } : {};
  const rethrowAbort = (e: unknown) => {
    if ((e as Error).name === 'AbortError' || o.signal?.aborted) throw e;
  };
  let tde: TdeDatabase[];
  try {
    const source = await o.connectSource();
    try {
      const props = await readProperties(source, q);
      tde = await readTdeDatabases(source, props.majorVersion, q);
    } finally {
      await source.close();
    }
  } catch (e) {
    rethrowAbort(e);
    return { source: 'unreadable', reason: `the source could not be read (${(e as Error).message})` };
  }
  const wanted = new Set(o.databases.map((d) => d.toLowerCase()));
  if (!tde.some((d) => wanted.has(d.database.toLowerCase()) && ENCRYPTED_STATES.has(d.encryptionState))) return { source: 'read', databases: tde, target: { thumbprints: new Set() } };
  if (typeof o.connectTarget === 'string') return { source: 'read', databases: tde, target: { unreachable: o.connectTarget } };
  try {
    const target = await o.connectTarget();
    try {
      return { source: 'read', databases: tde, target: { thumbprints: new Set((await readTargetCertificates(target, q)).keys()) } };
    } finally {
      await target.close();
    }
  } catch (e) {
    rethrowAbort(e);
    return { source: 'read', databases: tde, target: { unreachable: `the instance could not be reached (${(e as Error).message})` } };
  }
}
