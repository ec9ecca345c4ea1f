/**
 * The migration service's rule for TDE: the restore of a backup of a TDE database fails unless
 * the managed instance holds the certificate whose thumbprint the database encryption key
 * names (SQL Server: Msg 33111, "Cannot find server certificate with thumbprint '0x...'").
 *
 * Where a real backup records that thumbprint is not known (../reference/backup-format.md §8:
 * no TDE sample; FILELISTONLY's TDEThumbprint was not located), so the synthetic backups carry
 * none. The sandbox keeps its own side table instead: which database (by family GUID, or by
 * name) is TDE-encrypted with which thumbprint. Tests and seed profiles fill it; the backup
 * bytes stay as they are.
 *
 * The sandbox keeps one registry (filled from the source profile's TDE databases when asked,
 * and by tests through sandbox.tde.backups); the restore engine both services share
 * (restoreEngine.ts) calls tdeRestoreFailure just before it restores a backup set, and fails
 * the migration or the Log Replay restore with it, as an injected restore failure does.
 */
import type { BackupReading } from '../../src/core/backup';

export class TdeBackupRegistry {
  private readonly byFamily = new Map<string, string>();
  private readonly byName = new Map<string, string>();

  /** The database with this family GUID is TDE-encrypted with this certificate thumbprint. */
  markFamily(familyGuid: string, thumbprint: string): void {
    this.byFamily.set(familyGuid.toUpperCase(), normalize(thumbprint));
  }

  /** Every backup of a database of this name is TDE-encrypted with this thumbprint (for seeds without GUIDs). */
  markDatabase(name: string, thumbprint: string): void {
    this.byName.set(name.toLowerCase(), normalize(thumbprint));
  }

  /** The thumbprint a backup's database is encrypted with, if the sandbox knows one. */
  thumbprintOf(header: { familyGuid?: string; databaseName?: string }): string | undefined {
    return (header.familyGuid && this.byFamily.get(header.familyGuid.toUpperCase())) || (header.databaseName ? this.byName.get(header.databaseName.toLowerCase()) : undefined);
  }
}

const normalize = (t: string) => `0x${t.trim().replace(/^0x/i, '').toUpperCase()}`;

/** SQL Server's message when the certificate is missing (error 33111), as the migration service reports it. */
export function missingCertificateMessage(file: string, thumbprint: string): string {
  return `Restoring backup file '${file}' failed: Msg 33111, Level 16: Cannot find server certificate with thumbprint '${thumbprint}'. RESTORE DATABASE is terminating abnormally.`;
}

/** The failure of restoring this backup on an instance that holds the certificates `holds` says, or undefined. */
export function tdeRestoreFailure(reading: BackupReading, registry: TdeBackupRegistry, holds: (thumbprint: string) => boolean): { code: string; message: string } | undefined {
  if (reading.verdict !== 'backup' && reading.verdict !== 'stripe') return undefined;
  const header = (reading as { header?: { familyGuid?: string; databaseName?: string } }).header;
  if (!header) return undefined;
  const thumbprint = registry.thumbprintOf(header);
  if (!thumbprint || holds(thumbprint)) return undefined;
  return { code: 'RestoreFailed', message: missingCertificateMessage(reading.path.split('/').pop() ?? reading.path, thumbprint) };
}
