/**
 * Logins, TDE certificates and server objects from the editor (the dashboard's command and the
 * wizard's Server objects step), on the core's sequences as sqlmig runs them: this module only
 * opens the connections (the source with the wizard's or the user's login, the instance with
 * its login at the address ARM gives) and hands them over. Passwords are used for the call and
 * never kept. No `vscode` here.
 */
import * as l10n from '@vscode/l10n';
import { parseArmId } from '../../core/azure/armId';
import type { ObjectResult } from '../../core/serverObjects/agent/apply';
import type { ServerObjectScript } from '../../core/serverObjects/agent/script';
import type { LoginResult } from '../../core/serverObjects/logins/apply';
import type { DomainMapping } from '../../core/serverObjects/logins/entraNames';
import type { LoginApplyOutcome, LoginMigration } from '../../core/serverObjects/session';
import type { SourceConnection } from '../../core/source/connection';
import type { TargetConnection } from '../../core/source/target';
import type { TdeCertificateResult, TdePlan } from '../../core/tde/plan';
import { ActionableError } from '../errors';
import { contextFor } from './azureContext';
import { loadCore } from './loadCore';
import { sourceOptions } from './sourceService';
import type { ServerObjectsService, ServerPairInfo, SourceConnectionInfo } from './types';
import { loginResultsText, objectResultsText, tdeResultsText } from './serverObjectsText';
import { connectInstance, targetAddress } from './validation';

/**
 * The two servers: the source (`sourceSecret`: its login's password or Entra token), and the
 * managed instance with (optionally) a SQL login on it: logins and server objects need it; TDE
 * uploads go through ARM and use it only to see what the instance holds.
 */
export type ServerPair = ServerPairInfo;

async function withSource<T>(p: ServerPair, signal: AbortSignal, work: (c: SourceConnection) => Promise<T>): Promise<T> {
  const core = await loadCore();
  const conn = await core.connectSource(sourceOptions(p.source, p.sourceSecret), { signal });
  try {
    return await work(conn);
  } finally {
    await conn.close();
  }
}

function openInstance(p: ServerPair, signal: AbortSignal): Promise<TargetConnection> {
  const login = p.instanceLogin;
  if (!login) throw new ActionableError(l10n.t('No login for the managed instance was given.'), l10n.t('Give a SQL login on the instance (e.g. its admin) and its password.'));
  return targetAddress(p.account, p.instanceId, signal).then((address) => connectInstance({ ...address, ...login }, signal));
}

async function withInstance<T>(p: ServerPair, signal: AbortSignal, work: (c: TargetConnection) => Promise<T>): Promise<T> {
  const conn = await openInstance(p, signal);
  try {
    return await work(conn);
  } finally {
    await conn.close();
  }
}

/** "CONTOSO=contoso.com" lines (and "CONTOSO\\name=upn" for one login) as the core's mapping; says which entry is wrong. */
export async function domainMapping(entries: readonly string[]): Promise<DomainMapping> {
  const core = await loadCore();
  const m = core.emptyMapping();
  for (const e of entries.map((x) => x.trim()).filter(Boolean)) {
    try {
      core.addMapping(m, e);
    } catch (err) {
      throw new ActionableError(l10n.t('"{0}" is not a domain mapping: {1}', e, (err as Error).message), l10n.t('Write each as DOMAIN=dns.name, e.g. CONTOSO=contoso.com.'));
    }
  }
  return m;
}

/** Splits what a user typed into mapping entries (commas, semicolons or spaces between them). */
export const mappingEntries = (text: string): string[] => text.split(/[\s,;]+/).filter(Boolean);

// ---- TDE certificates ----------------------------------------------------------------------

/** Which certificates the chosen databases need on the instance (nothing of the keys is read). */
export async function planTdeCertificates(p: ServerPair, databases: readonly string[], signal: AbortSignal): Promise<{ plan: TdePlan; note?: string }> {
  const core = await loadCore();
  return withSource(p, signal, async (source) => {
    const target = await core.readTargetThumbprints(p.instanceLogin ? () => openInstance(p, signal) : l10n.t('no login for the instance was given: a certificate it already holds is found out by the upload ("already there")'), { signal });
    const { plan, note } = await core.readTdePlan(source, target, { databases, signal });
    return { plan, ...(note && { note }) };
  });
}

/** Uploads the plan's certificates through ARM (read from the source with a one-time password, as a PFX in memory). */
export async function uploadTdeCertificates(p: ServerPair, plan: TdePlan, signal: AbortSignal, onResult?: (r: TdeCertificateResult) => void): Promise<{ results: TdeCertificateResult[]; failed: boolean }> {
  const core = await loadCore();
  const id = parseArmId(p.instanceId);
  const results = await withSource(p, signal, (source) =>
    core.applyTdePlan(source, contextFor(p.account), { subscriptionId: id.subscriptionId, resourceGroup: id.resourceGroup, managedInstance: id.name }, plan, { signal, ...(onResult && { onResult }) }));
  return { results, failed: core.tdeUploadFailed(results) };
}

// ---- Logins --------------------------------------------------------------------------------

/** The login plan for the chosen logins (by name; all when none is named) and the domain mapping: nothing is changed. */
export async function planLogins(p: ServerPair, options: { mapping: readonly string[]; names?: readonly string[] }, signal: AbortSignal): Promise<LoginMigration> {
  const core = await loadCore();
  const mapping = await domainMapping(options.mapping);
  return withSource(p, signal, (source) => withInstance(p, signal, (target) =>
    core.readLoginPlan(source, target, { mapping, ...(options.names?.length && { selection: { names: [...options.names] } }), signal })));
}

/** Creates the planned logins, then maps the named restored databases' users to them. */
export async function applyLogins(
  p: ServerPair,
  migration: LoginMigration,
  options: { mapping: readonly string[]; remapDatabases?: readonly string[]; onResult?: (r: LoginResult) => void },
  signal: AbortSignal,
): Promise<LoginApplyOutcome> {
  const core = await loadCore();
  const mapping = await domainMapping(options.mapping);
  return withInstance(p, signal, (target) => core.applyLogins(target, migration, {
    mapping,
    ...(options.remapDatabases?.length && { remap: { databases: options.remapDatabases } }),
    ...(options.onResult && { onResult: options.onResult }),
    signal,
  }));
}

/** Maps the restored databases' users to the logins already on the instance (no login is created): Windows users to their Entra logins through the mapping. */
export async function remapUsers(p: ServerPair, options: { mapping: readonly string[]; databases: readonly string[] }, signal: AbortSignal): Promise<LoginApplyOutcome> {
  const migration = await planLogins(p, { mapping: options.mapping }, signal);
  return applyLogins(p, { ...migration, plan: { roles: [], logins: [] } }, { mapping: options.mapping, remapDatabases: options.databases }, signal);
}

// ---- Agent jobs and other server objects ---------------------------------------------------

/** The source's server objects as one reviewable T-SQL script (secrets are placeholders to fill in). */
export async function scriptServerObjects(p: ServerPair, signal: AbortSignal): Promise<{ script: ServerObjectScript; text: string }> {
  const core = await loadCore();
  return withSource(p, signal, async (source) => {
    const { script, text } = await core.scriptSourceServerObjects(source, { signal });
    return { script, text };
  });
}

/** Applies a reviewed script to the instance, object by object (`dryRun`: only says what would be sent). */
export async function applyServerObjectScript(p: ServerPair, text: string, signal: AbortSignal, options: { dryRun?: boolean; onResult?: (r: ObjectResult) => void } = {}): Promise<{ results: ObjectResult[]; failed: boolean }> {
  const core = await loadCore();
  let objects;
  try {
    objects = core.parseScript(text);
  } catch (e) {
    if (e instanceof core.ScriptFormatError) throw new ActionableError(l10n.t('The server-objects script cannot be read: {0}', e.message), l10n.t('Keep the script as it was written (one object per block, GO between them), change only what it asks you to fill in.'));
    throw e;
  }
  return withInstance(p, signal, (target) => core.applyServerObjects(target, objects, { signal, ...options }));
}

// ---- The wizard's Server objects step ------------------------------------------------------

export const wizardServerObjects: ServerObjectsService = {
  availability: { available: true },

  async listLogins(source: SourceConnectionInfo, secret: string | undefined, signal: AbortSignal) {
    const core = await loadCore();
    return withSource({ source, sourceSecret: secret } as ServerPair, signal, (conn) => core.readLoginChoices(conn, { signal }));
  },

  async uploadTde(p, databases, signal) {
    const { plan } = await planTdeCertificates(p, databases, signal);
    const { results } = await uploadTdeCertificates(p, plan, signal);
    return {
      items: results.map((r) => ({ part: 'tde' as const, name: r.certificate ?? r.thumbprint, status: r.status, detail: [r.databases.join(', '), r.reason ?? r.message].filter(Boolean).join(': ') })),
      text: tdeResultsText(results),
    };
  },

  async createLogins(p, options, signal) {
    const migration = await planLogins(p, { mapping: options.mapping, names: options.names }, signal);
    const o = await applyLogins(p, migration, { mapping: options.mapping }, signal);
    return {
      items: o.logins.map((l) => ({
        part: 'login' as const, name: l.source, status: l.status,
        detail: [l.target && l.target !== l.source ? l.target : undefined, l.reason, l.message, ...l.then.filter((t) => !t.ok).map((t) => l10n.t('{0} FAILED: {1}', t.what, t.message ?? ''))].filter(Boolean).join('; '),
      })),
      text: loginResultsText(o),
    };
  },

  async applyServerObjects(p, signal) {
    const { text: script } = await scriptServerObjects(p, signal);
    const { results } = await applyServerObjectScript(p, script, signal);
    return {
      items: results.map((r) => ({ part: 'object' as const, name: `${r.kind}: ${r.name}`, status: r.status, ...((r.reason ?? r.message) && { detail: r.reason ?? r.message }) })),
      text: objectResultsText(results),
    };
  },
};
