/**
 * The naming rules a migration plan must meet, defined once: the plan check (validatePlan), the
 * wizard and the CLI all ask these, so the wizard never enables Start for a name the plan
 * check would refuse. Each returns what is wrong in words that say what to do, or undefined.
 * No dependencies beyond the limits table: the wizard's checks run in the extension host without
 * loading the Azure SDK.
 */
import { maxUserDatabases, TIER_NAMES, type ServiceTier } from './sku/miLimits';

const SYSTEM_DATABASES = new Set(['master', 'model', 'msdb', 'tempdb']);

/**
 * A target database name: a sysname that is also usable as the migration resource's name in an
 * ARM URL (so none of / \ ? # % & : * < > | ", and no trailing dot or space).
 */
export function targetDatabaseNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'enter a target database name';
  if (name !== name.trim()) return 'remove the spaces at the start or end of the target database name';
  if (name.length > 128) return `use at most 128 characters for the target database name ("${name.slice(0, 20)}..." has ${name.length})`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(name)) return 'remove the control characters from the target database name';
  const bad = [...new Set(name.match(/[/\\?#%&:*<>|"]/g) ?? [])];
  if (bad.length) return `the target database name "${name}" has ${bad.map((c) => `"${c}"`).join(', ')}, which a migration's resource name cannot hold: leave out / \\ ? # % & : * < > | "`;
  if (name.endsWith('.')) return `the target database name "${name}" ends with a dot, which a migration's resource name cannot: remove it`;
  if (SYSTEM_DATABASES.has(name.toLowerCase())) return `"${name}" is a system database name: choose another target name`;
  return undefined;
}

/** A blob folder: one folder name directly in the container (the service reads one level). */
export function blobFolderProblem(folder: string): string | undefined {
  if (!folder || folder.includes('/') || folder.includes('\\')) return `the blob folder must be a single folder name directly in the container, not "${folder}"`;
  if (folder.length > 255 || folder === '.' || folder === '..') return `the blob folder "${folder}" is not usable`;
  return undefined;
}

/** A blob container name, as Azure Storage and SQL Managed Instance accept it. */
export function containerNameProblem(name: string): string | undefined {
  if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(name)) {
    return `"${name}" is not a valid container name: 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit`;
  }
  if (name === 'backup') return 'the container name "backup" is reserved on SQL Managed Instance: choose another';
  return undefined;
}

/** "container" or "container/folder", as the wizard and `--container` take it. */
export function containerPathProblem(value: string): string | undefined {
  if (value === '') return 'choose a blob container';
  const [container, ...folders] = value.split('/');
  if (folders.length > 1) return 'use a container, or a container and one folder (container/folder)';
  if (folders.length === 1) {
    const f = blobFolderProblem(folders[0]!);
    if (f) return f;
  }
  return containerNameProblem(container!);
}

/** A network share as the integration runtime reads it: \\server\share[\folder...]. */
export function uncPathProblem(path: string): string | undefined {
  if (path === '') return 'enter the network share path';
  return /^\\\\[^\\/:*?"<>|]+(\\[^\\/:*?"<>|]+)+\\?$/.test(path) ? undefined : `"${path}" is not a network path such as \\\\server.corp.local\\backups\\Sales`;
}

/** A Windows account as DOMAIN\user (the share user, a Windows login for the runtime). */
export function windowsUserProblem(user: string, what = 'the user'): string | undefined {
  if (user === '') return `enter ${what} as DOMAIN\\user`;
  return /^[^\\\s]+\\[^\\\s]+$/.test(user) ? undefined : `write ${what} as DOMAIN\\user, not "${user}"`;
}

/**
 * The most user databases one managed instance holds when its tier is not known (General
 * Purpose and Business Critical: 100). The limit of a known tier comes from the versioned
 * limits table (Next-gen General Purpose: 500).
 */
export const MI_MAX_DATABASES = maxUserDatabases(undefined);

/** How many more databases an instance of `tier` takes, beside the ones already on it. */
export function instanceRoom(alreadyThere: number, tier?: ServiceTier): number {
  return Math.max(0, maxUserDatabases(tier) - alreadyThere);
}

/**
 * A plan that puts more databases on one instance than its tier holds, counting the databases
 * already on it (and those other plans of the same run put there). Undefined when they fit.
 */
export function databaseCountProblem(count: number, alreadyThere = 0, tier?: ServiceTier): string | undefined {
  const max = maxUserDatabases(tier);
  if (count + alreadyThere <= max) return undefined;
  const instance = tier ? `a ${TIER_NAMES[tier]} managed instance` : 'a managed instance';
  const room = Math.max(0, max - alreadyThere);
  const dbs = `${count} database${count === 1 ? '' : 's'}`;
  return alreadyThere
    ? `${dbs} beside the ${alreadyThere} already on the instance: ${instance} holds at most ${max}, so it has room for ${room}`
    : `${dbs}: ${instance} holds at most ${max}`;
}

/** A target instance of a run: its tier and how many databases are on it already. */
export interface InstanceCapacity {
  id: string;
  tier?: ServiceTier;
  existing: number;
}

export interface Placement {
  /** Database -> the instance it goes to, in the instances' order. */
  placed: Map<string, string>;
  /** The databases no instance has room for (the last ones in order). */
  unplaced: string[];
  /** Instance -> how many more it could take after this placement. */
  roomLeft: Map<string, number>;
}

/**
 * Spreads databases over the chosen instances in order: each takes databases until its tier's
 * limit (counting what is on it already), then the next one does. The same rule the plan check
 * applies per instance, so what the wizard places the start accepts.
 */
export function placeDatabases(databases: readonly string[], instances: readonly InstanceCapacity[]): Placement {
  const placed = new Map<string, string>();
  const roomLeft = new Map(instances.map((i) => [i.id, instanceRoom(i.existing, i.tier)]));
  let at = 0;
  const unplaced: string[] = [];
  for (const db of databases) {
    while (at < instances.length && roomLeft.get(instances[at]!.id)! <= 0) at++;
    const target = instances[at];
    if (!target) {
      unplaced.push(db);
      continue;
    }
    placed.set(db, target.id);
    roomLeft.set(target.id, roomLeft.get(target.id)! - 1);
  }
  return { placed, unplaced, roomLeft };
}
