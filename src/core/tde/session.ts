/**
 * The TDE certificate sequence, written once for every face (sqlmig and the editor): read the
 * source's TDE databases, learn which certificates the instance holds when it can be asked (the
 * upload itself goes through ARM and needs no SQL connection to it), plan, then upload.
 */
import type { QueryOptions, SourceConnection } from '../source/connection';
import { SourceError } from '../source/errors';
import { readProperties } from '../source/inventory';
import { readTargetCertificates } from '../serverObjects/targetCatalog';
import { planTdeCertificates, type TdeCertificateResult, type TdePlan } from './plan';
import { readTdeDatabases, type TdeDatabase } from './sourceCertificates';

/** What the instance holds: its certificates' thumbprints, or why they are not known (then every certificate is uploaded, and "already there" counts as done). */
export type TargetThumbprints = { thumbprints: Set<string> } | { note: string };

/**
 * The instance's certificates, read over `connect` when a login for it is known (`connect` is
 * then a function; a string says why not). A refusal of the instance is a note, not a failure.
 */
export async function readTargetThumbprints(connect: (() => Promise<SourceConnection>) | string, options: QueryOptions = {}): Promise<TargetThumbprints> {
  if (typeof connect === 'string') return { note: connect };
  let conn: SourceConnection | undefined;
  try {
    conn = await connect();
    return { thumbprints: new Set((await readTargetCertificates(conn, options)).keys()) };
  } catch (e) {
    if (!(e instanceof SourceError) || e.kind === 'cancelled') throw e;
    return { note: `could not read the instance's certificates (${e.message}); every certificate will be uploaded` };
  } finally {
    await conn?.close();
  }
}

/** The source's TDE databases and the plan for the chosen ones (all encrypted ones when none is named); nothing is read of the keys. */
export async function readTdePlan(
  source: SourceConnection,
  target: TargetThumbprints,
  options: { databases?: readonly string[] } & QueryOptions = {},
): Promise<{ plan: TdePlan; databases: TdeDatabase[]; note?: string }> {
  const q = options.signal ? { signal: options.signal } : {};
  const props = await readProperties(source, q);
  const databases = await readTdeDatabases(source, props.majorVersion, q);
  const plan = planTdeCertificates(databases, 'thumbprints' in target ? target.thumbprints : undefined, options.databases?.length ? [...options.databases] : undefined);
  return { plan, databases, ...('note' in target && { note: target.note }) };
}

/** A certificate that is not on the instance after the upload: it could not be moved, or its upload failed. */
export const tdeUploadFailed = (results: readonly TdeCertificateResult[]): boolean => results.some((r) => r.status === 'failed' || r.status === 'cannot');
