/**
 * Prerequisites of a migration through the Database Migration Service (the same technology as the
 * Log Replay Service): source version, database state, recovery model, backups that the service
 * can restore, TDE certificates, contained databases, and the login's permissions.
 */
import type { BackupRecord } from '../../source/inventory';
import { DMS_DOC, LRS_DOC, perDatabaseFindings, plural, TDE_DOC, type Finding, type ImpactedObject, type Rule } from '../rule';

export const ONLINE_RULES: Rule[] = [
  {
    id: 'SourceVersionSupported',
    title: 'Source SQL Server version',
    level: 'instance',
    category: 'blocker',
    origin: 'online-prerequisite',
    probes: [],
    recommendation: 'The Database Migration Service migrates from SQL Server 2008 through 2022; upgrade older servers first. From SQL Server 2012 and 2014, put the backups in a blob container (BACKUP TO URL needs 2012 SP1 CU2 or later).',
    docs: DMS_DOC,
    evaluate: (facts) => {
      const p = facts.inventory.properties;
      const object = { type: 'SERVER', name: p.serverName, detail: `${p.productName} ${p.productVersion} ${p.productLevel}` };
      if (p.majorVersion < 10) return [{ message: `${p.productName} is older than SQL Server 2008, which the migration service does not support.`, objects: [object] }];
      if (p.majorVersion === 11 || p.majorVersion === 12) {
        return [{ category: 'warning', message: `${p.productName}: back up to a blob container as page blobs rather than to a network share.`, objects: [object] }];
      }
      if (p.majorVersion > 17) return [{ category: 'warning', message: `${p.productName} is newer than the versions this assessment knows; check that the migration service supports it.`, objects: [object] }];
      return [];
    },
  },
  {
    id: 'DatabaseNotOnline',
    title: 'Database not online or not accessible',
    level: 'database',
    category: 'blocker',
    origin: 'online-prerequisite',
    probes: [],
    recommendation: 'Bring the database ONLINE and give the login access (it needs to read the database to assess it, and you need to back it up to migrate it), then run the assessment again.',
    docs: LRS_DOC,
    evaluate: (facts) =>
      facts.skipped.map((s) => ({ database: s.database.name, message: s.reason, objects: [{ type: 'DATABASE', name: s.database.name, detail: s.database.state }] })),
  },
  {
    id: 'RecoveryModelNotFull',
    title: 'Recovery model not FULL (online migration)',
    level: 'database',
    category: 'blocker',
    origin: 'online-prerequisite',
    probes: [],
    recommendation: 'Online migrations restore log backups, which only the FULL recovery model makes: ALTER DATABASE ... SET RECOVERY FULL, then take a full backup and start the log backups. Or migrate offline.',
    docs: LRS_DOC,
    evaluate: (facts, ctx) => {
      if (ctx.mode !== 'online') return [];
      const out: Finding[] = [];
      for (const d of facts.databases) {
        if (d.recoveryModel !== 'FULL') {
          out.push({ database: d.name, message: `Recovery model ${d.recoveryModel}: no log backups, so no online migration.`, objects: [{ type: 'DATABASE', name: d.name, detail: d.recoveryModel }] });
        } else if (d.lastLogBackupLsn === null) {
          out.push({
            database: d.name,
            category: 'warning',
            message: 'FULL recovery, but no full backup since then: the log chain has not started and the log is still truncated as in SIMPLE.',
            objects: [{ type: 'DATABASE', name: d.name, detail: 'no log chain yet' }],
          });
        }
      }
      return out;
    },
  },
  {
    id: 'BackupChecksums',
    title: 'Backups without checksums',
    level: 'database',
    category: 'warning',
    origin: 'online-prerequisite',
    probes: [],
    recommendation: 'Back up WITH CHECKSUM (or turn on the "backup checksum default" option): without checksums a corrupt database can migrate unnoticed and the restore is slower. Run DBCC CHECKDB before the full backup.',
    docs: LRS_DOC,
    evaluate: (facts) => {
      if (facts.inventory.backupHistoryError) return [];
      const out: Finding[] = [];
      for (const d of facts.databases) {
        const fulls = facts.inventory.backups.filter((b) => b.database === d.name && b.type === 'Database' && !b.isCopyOnly);
        const latest = fulls.at(-1) ?? facts.inventory.backups.filter((b) => b.database === d.name && b.type === 'Database').at(-1);
        if (!latest) {
          out.push({ database: d.name, message: 'No full backup in the msdb history: the migration starts from a full backup.', objects: [{ type: 'DATABASE', name: d.name }] });
        } else if (!latest.hasChecksums) {
          out.push({ database: d.name, message: `The latest full backup (${latest.finishDate}) has no checksums.`, objects: [{ type: 'BACKUP', name: latest.location || `${d.name} full backup`, detail: latest.finishDate }] });
        }
      }
      return out;
    },
  },
  {
    id: 'BackupMediaUnsupported',
    title: 'Backup files the migration service cannot restore as they are',
    level: 'database',
    category: 'issue',
    origin: 'online-prerequisite',
    probes: [],
    recommendation: 'Write each backup to its own file(s) (WITH INIT or a new file name each time): the service does not read several backup sets from one file, log backups must not be striped, and only native backups (not a third-party format) can be restored. Encrypted backups need their certificate on the target first.',
    docs: LRS_DOC,
    evaluate: (facts) => {
      const names = new Set(facts.databases.map((d) => d.name));
      const bad: (BackupRecord & { problem: string })[] = [];
      for (const b of facts.inventory.backups) {
        if (!names.has(b.database)) continue;
        if (b.setsOnMedia > 1 || b.position > 1) bad.push({ ...b, problem: `appended media: ${b.setsOnMedia} backup sets in the same file` });
        else if (b.type === 'TransactionLog' && b.familyCount > 1) bad.push({ ...b, problem: `log backup striped over ${b.familyCount} files` });
        else if (b.device === 'virtual') bad.push({ ...b, problem: 'written by a third-party tool through a virtual device: check that it produces native .bak/.trn files' });
        else if (b.device === 'tape') bad.push({ ...b, problem: 'written to tape' });
        else if (b.isEncrypted) bad.push({ ...b, problem: 'encrypted backup: the certificate must be on the target before the restore' });
      }
      return perDatabaseFindings(
        bad,
        (b): ImpactedObject => ({ type: 'BACKUP', name: b.location || `${b.database} ${b.type}`, detail: `${b.type} ${b.finishDate}: ${b.problem}` }),
        (n) => `${plural(n, 'recent backup')} the migration service cannot use as written.`,
      );
    },
  },
  {
    id: 'TransparentDataEncryption',
    title: 'TDE-encrypted database',
    level: 'database',
    category: 'warning',
    origin: 'online-prerequisite',
    probes: ['server.encryption'],
    recommendation: 'The TDE certificate must be on the Managed Instance before the restore ("cannot find server certificate with thumbprint" otherwise): let the migration service migrate it, or upload it with Add-AzSqlManagedInstanceTransparentDataEncryptionCertificate.',
    docs: TDE_DOC,
    evaluate: (facts) =>
      facts.databases
        .filter((d) => d.isEncrypted || facts.encryption.some((e) => e.database === d.name && e.state === 3))
        .map((d) => {
          const key = facts.encryption.find((e) => e.database === d.name);
          const detail = key?.certificate ? `certificate ${key.certificate}${key.thumbprint ? ` (${key.thumbprint})` : ''}` : key?.encryptorType ?? 'TDE on';
          return { database: d.name, message: 'The database is encrypted with TDE; its certificate must reach the target first.', objects: [{ type: 'DATABASE_ENCRYPTION_KEY', name: d.name, detail }] };
        }),
  },
  {
    id: 'ContainedDatabase',
    title: 'Contained database',
    level: 'database',
    category: 'warning',
    origin: 'online-prerequisite',
    probes: [],
    recommendation: 'Turn on "contained database authentication" on the Managed Instance before the restore, or it fails with error 12824.',
    docs: DMS_DOC,
    evaluate: (facts) =>
      facts.databases
        .filter((d) => d.containment === 'PARTIAL')
        .map((d) => ({ database: d.name, message: 'Partially contained database.', objects: [{ type: 'DATABASE', name: d.name, detail: 'containment PARTIAL' }] })),
  },
  {
    id: 'BusinessCriticalSeeding',
    title: 'Business Critical seeding after cutover',
    level: 'instance',
    category: 'warning',
    origin: 'online-prerequisite',
    probes: [],
    recommendation: 'On Business Critical a database stays unavailable after cutover while its secondary replicas seed (about 220 GB per hour), and a failover during the migration restarts it. Consider migrating to General Purpose first and scaling up, or the Managed Instance link.',
    docs: LRS_DOC,
    evaluate: (facts, ctx) => {
      if (ctx.tier !== 'business-critical' || ctx.mode !== 'online' || facts.databases.length === 0) return [];
      const totalGb = facts.databases.reduce((s, d) => s + d.dataSizeMb, 0) / 1024;
      return [{ message: `About ${Math.max(1, Math.ceil((totalGb / 220) * 60))} minutes of seeding for ${totalGb.toFixed(0)} GB of data after cutover.`, objects: [] }];
    },
  },
  {
    id: 'SourceLoginPermissions',
    title: 'Source login lacks sysadmin',
    level: 'instance',
    category: 'warning',
    origin: 'online-prerequisite',
    probes: [],
    recommendation: 'The migration service\'s source login needs sysadmin or CONTROL SERVER; the assessment also reads more with VIEW SERVER STATE.',
    docs: DMS_DOC,
    evaluate: (facts) => {
      const p = facts.inventory.properties;
      if (p.isSysadmin || p.hasControlServer) return [];
      return [{ message: `The login is not sysadmin and has no CONTROL SERVER${p.hasViewServerState ? '' : ' nor VIEW SERVER STATE'}.`, objects: [] }];
    },
  },
];
