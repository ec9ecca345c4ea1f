/**
 * What a container SAS token grants, read from its own fields (no call to Azure), and the Log
 * Replay Service's rules for one: a container-level token (`sr=c`) granting exactly Read and
 * List, with its permissions and expiry in the token itself (no stored access policy, `si`),
 * valid until after the restore is expected to end. Each problem says what to do. No
 * dependencies: the wizard can check a pasted token without loading the Azure SDK.
 *
 * The token is a secret: nothing here puts it, or any part of its signature, in a message.
 */

export interface SasFacts {
  /** sv */
  version?: string;
  /** sr: c (container), b (blob), ... */
  resource?: string;
  /** sp, as given */
  permissions: string;
  /** se */
  expiresOn?: Date;
  /** st */
  startsOn?: Date;
  /** si: a stored access policy on the container decides permissions and expiry. */
  storedPolicy?: string;
  /** spr: https, or https,http */
  protocol?: string;
  /** sig present */
  signed: boolean;
  /** skoid present: signed with a user delegation key (at most 7 days). */
  userDelegation: boolean;
}

/** Reads a SAS token (with or without its leading "?"); fields it lacks are left out. */
export function parseSasToken(token: string): SasFacts {
  const q = new URLSearchParams(token.trim().replace(/^\?/, ''));
  const date = (v: string | null) => {
    if (!v) return undefined;
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? undefined : d;
  };
  const facts: SasFacts = { permissions: q.get('sp') ?? '', signed: Boolean(q.get('sig')), userDelegation: Boolean(q.get('skoid')) };
  const set = <K extends keyof SasFacts>(k: K, v: SasFacts[K] | undefined | null) => {
    if (v !== undefined && v !== null && v !== '') facts[k] = v;
  };
  set('version', q.get('sv'));
  set('resource', q.get('sr'));
  set('expiresOn', date(q.get('se')));
  set('startsOn', date(q.get('st')));
  set('storedPolicy', q.get('si'));
  set('protocol', q.get('spr'));
  return facts;
}

/** The only permissions the Log Replay Service accepts: Read and List. */
export const LRS_SAS_PERMISSIONS = 'rl';

const PERMISSION_NAMES: Record<string, string> = {
  r: 'Read', a: 'Add', c: 'Create', w: 'Write', d: 'Delete', x: 'Delete version', y: 'Permanent delete', l: 'List', t: 'Tags', f: 'Find',
  m: 'Move', e: 'Execute', o: 'Ownership', p: 'Permissions', i: 'Set immutability policy',
};

const day = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface SasCheck {
  /** What keeps the token from working for the whole restore: nothing starts while one stands. */
  problems: string[];
  warnings: string[];
}

/**
 * Checks a token against the LRS rules. `lastsUntil`: when the restore is expected to end (the
 * token must outlive it: LRS reads the container until the restore completes).
 */
export function lrsSasProblems(token: string, o: { now?: Date; lastsUntil: Date }): SasCheck {
  const now = o.now ?? new Date();
  const problems: string[] = [];
  const warnings: string[] = [];
  const fix = 'create a container SAS with Read and List only (sqlmig log-replay start creates one when SQLMIG_LRS_SAS is not set)';
  if (!token.trim()) return { problems: [`the SAS token is empty: ${fix}`], warnings };
  const f = parseSasToken(token);
  if (!f.signed) problems.push(`the SAS token has no signature (sig): it is not a SAS token; ${fix}`);
  if (f.storedPolicy) {
    problems.push(`the SAS token uses a stored access policy (si=${f.storedPolicy}): the Log Replay Service needs the permissions and expiry in the token itself; ${fix}`);
  }
  if (f.resource && f.resource !== 'c') {
    problems.push(`the SAS token is for ${f.resource === 'b' ? 'one blob' : `resource type "${f.resource}"`} (sr=${f.resource}), not for the container (sr=c): the Log Replay Service lists the container; ${fix}`);
  }
  const letters = new Set(f.permissions.split(''));
  const missing = [...LRS_SAS_PERMISSIONS].filter((p) => !letters.has(p));
  const extra = [...letters].filter((p) => !LRS_SAS_PERMISSIONS.includes(p));
  if (!f.storedPolicy && missing.length) {
    problems.push(`the SAS token does not grant ${missing.map((p) => PERMISSION_NAMES[p]).join(' and ')} (sp=${f.permissions || 'nothing'}): the Log Replay Service needs Read and List; ${fix}`);
  }
  if (extra.length) {
    problems.push(`the SAS token grants more than Read and List (${extra.map((p) => PERMISSION_NAMES[p] ?? p).join(', ')}): the Log Replay Service accepts Read and List only; ${fix}`);
  }
  if (!f.storedPolicy) {
    if (!f.expiresOn) problems.push(`the SAS token has no expiry (se): ${fix}`);
    else if (f.expiresOn <= now) problems.push(`the SAS token expired on ${day(f.expiresOn)}: ${fix}`);
    else if (f.expiresOn < o.lastsUntil) {
      problems.push(
        `the SAS token expires on ${day(f.expiresOn)}, before the restore is expected to end (${day(o.lastsUntil)}): the Log Replay Service stops reading the container then; ` +
          (f.userDelegation ? 'a user delegation SAS lasts at most 7 days: sign one with the account key, or use the managed identity' : `create one that lasts until at least ${day(o.lastsUntil)}`),
      );
    }
  }
  if (f.startsOn && f.startsOn > now) warnings.push(`the SAS token is valid only from ${day(f.startsOn)}: the restore cannot read the container before then`);
  return { problems, warnings };
}
