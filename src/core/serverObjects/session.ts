/**
 * The read-plan-apply sequences of logins and server objects, written once for every face
 * (sqlmig and the editor): which catalogs are read from which server, in what order, and what
 * counts as a failure. The faces open the connections (each its own way: flags and prompts,
 * input boxes, the wizard) and present the results.
 */
import type { QueryOptions, SourceConnection } from '../source/connection';
import { readProperties } from '../source/inventory';
import type { TargetConnection } from '../source/target';
import { applyScript, type ObjectResult, type ScriptObject } from './agent/apply';
import { readServerObjects } from './agent/read';
import { scriptServerObjects, scriptText, type ScriptKind, type ServerObjectScript } from './agent/script';
import { applyLoginPlan, type LoginApplyResult, type LoginResult } from './logins/apply';
import type { DomainMapping } from './logins/entraNames';
import { exclusionReason, planLogins, type LoginPlan, type LoginSelection } from './logins/plan';
import { remapDatabaseUsers, type UserMappingResult } from './logins/remapUsers';
import { readSourceLogins, type LoginKind, type SourceLogins } from './logins/sourceLogins';
import { readTargetPrincipals } from './targetCatalog';

export interface LoginMigration {
  plan: LoginPlan;
  /** What was read of the source (the user mapping afterwards needs its Windows logins). */
  source: SourceLogins;
  sourceServerName: string;
}

/** Reads the source's logins and what the target holds, and plans (nothing is changed). */
export async function readLoginPlan(
  source: SourceConnection,
  target: SourceConnection,
  options: { mapping: DomainMapping; selection?: LoginSelection } & QueryOptions,
): Promise<LoginMigration> {
  const q = options.signal ? { signal: options.signal } : {};
  const props = await readProperties(source, q);
  const logins = await readSourceLogins(source, props.majorVersion, q);
  const principals = await readTargetPrincipals(target, q);
  const plan = planLogins(logins, principals, { mapping: options.mapping, ...(options.selection && { selection: options.selection }), sourceServerName: props.serverName });
  return { plan, source: logins, sourceServerName: props.serverName };
}

export interface LoginChoice {
  name: string;
  kind: LoginKind;
  /** Why it is never migrated (system, sa, certificate-mapped...), when so. */
  excluded?: string;
}

/** The source's logins to choose from, before the instance is asked (a list, never the hashes). */
export async function readLoginChoices(source: SourceConnection, options: QueryOptions = {}): Promise<LoginChoice[]> {
  const q = options.signal ? { signal: options.signal } : {};
  const props = await readProperties(source, q);
  const { logins } = await readSourceLogins(source, props.majorVersion, q);
  return logins.map((l) => {
    const why = exclusionReason(l, props.serverName);
    return { name: l.name, kind: l.kind, ...(why && { excluded: why }) };
  });
}

/** Which restored databases' users to map to the new logins: named ones, or every database on the target. */
export type RemapScope = { all: true } | { databases: readonly string[] };

export interface LoginApplyOutcome extends LoginApplyResult {
  users: UserMappingResult[];
  /** Databases asked to remap that are not on the target (yet). */
  notOnTarget: string[];
  /** A login, a membership, a permission or a user mapping failed. */
  failed: boolean;
}

/** Creates the planned logins (what exists is skipped), then maps the chosen databases' users to them. */
export async function applyLogins(
  target: TargetConnection,
  migration: LoginMigration,
  options: { mapping: DomainMapping; remap?: RemapScope; onResult?: (r: LoginResult) => void } & QueryOptions,
): Promise<LoginApplyOutcome> {
  const q = options.signal ? { signal: options.signal } : {};
  const result = await applyLoginPlan(target, migration.plan, { ...q, ...(options.onResult && { onResult: options.onResult }) });
  let users: UserMappingResult[] = [];
  let notOnTarget: string[] = [];
  if (options.remap && ('all' in options.remap || options.remap.databases.length)) {
    const onTarget = (await readTargetPrincipals(target, q)).databases;
    const has = (name: string) => onTarget.some((t) => t.toLowerCase() === name.toLowerCase());
    const wanted = 'all' in options.remap ? onTarget : onTarget.filter((t) => (options.remap as { databases: readonly string[] }).databases.some((d) => d.toLowerCase() === t.toLowerCase()));
    notOnTarget = 'all' in options.remap ? [] : options.remap.databases.filter((d) => !has(d));
    users = await remapDatabaseUsers(target, wanted, migration.source.logins, options.mapping, q);
  }
  const failed = result.logins.some((l) => l.status === 'failed' || l.then.some((t) => !t.ok))
    || result.roles.some((r) => r.status === 'failed')
    || users.some((u) => u.status === 'failed');
  return { ...result, users, notOnTarget, failed };
}

/** The source's Agent jobs, operators, linked servers, credentials and Database Mail, scripted for the instance. */
export async function scriptSourceServerObjects(source: SourceConnection, options: QueryOptions = {}): Promise<{ script: ServerObjectScript; text: string; sourceServerName: string }> {
  const q = options.signal ? { signal: options.signal } : {};
  const props = await readProperties(source, q);
  const script = scriptServerObjects(await readServerObjects(source, q));
  return { script, text: scriptText(script, props.serverName), sourceServerName: props.serverName };
}

/** The objects of a script named by kind and name; throws naming those the script does not hold. */
export function pickScriptObjects(objects: ScriptObject[], wanted: readonly { kind: ScriptKind; name: string }[]): ScriptObject[] {
  if (!wanted.length) return objects;
  const same = (o: { kind: string; name: string }, w: { kind: string; name: string }) => o.kind === w.kind && o.name.toLowerCase() === w.name.toLowerCase();
  const missing = wanted.filter((w) => !objects.some((o) => same(o, w)));
  if (missing.length) throw new Error(`not in the script: ${missing.map((m) => `${m.kind}:${m.name}`).join(', ')}`);
  return objects.filter((o) => wanted.some((w) => same(o, w)));
}

/** Applies objects one by one; `failed` when one was refused (a placeholder left) or failed. */
export async function applyServerObjects(
  target: SourceConnection,
  objects: ScriptObject[],
  options: { dryRun?: boolean; onResult?: (r: ObjectResult) => void } & QueryOptions = {},
): Promise<{ results: ObjectResult[]; failed: boolean }> {
  const results = await applyScript(target, objects, options);
  return { results, failed: results.some((r) => r.status === 'failed' || r.status === 'refused') };
}
