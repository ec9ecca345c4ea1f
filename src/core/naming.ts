/**
 * The naming rules a migration plan must meet, defined once: the plan check (validatePlan), the
 * wizard and the CLI all ask these, so the wizard never enables Start for a name the plan
 * check would refuse. Each returns what is wrong in words that say what to do, or undefined.
 * No dependencies: the wizard's checks run in the extension host without loading the Azure SDK.
 */

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

/** SQL Managed Instance holds at most 100 user databases (General Purpose and Business Critical). */
export const MI_MAX_DATABASES = 100;

/** A plan that puts more databases on one instance than it can hold. */
export function databaseCountProblem(count: number, alreadyThere = 0): string | undefined {
  const total = count + alreadyThere;
  if (total <= MI_MAX_DATABASES) return undefined;
  return `${count} database${count === 1 ? '' : 's'}${alreadyThere ? ` beside the ${alreadyThere} already on the instance` : ''}: a managed instance holds at most ${MI_MAX_DATABASES}`;
}
