/** Files, filegroups and sizes: what the restore itself rejects, and what exceeds the tier's limits. */
import { maxInstanceStorageGb, TIER_NAMES } from '../../sku/miLimits';
import { docFor, perDatabaseFindings, plural, RESOURCE_LIMITS_DOC, TSQL_DIFFERENCES_DOC, type Rule } from '../rule';

const gb = (mb: number) => mb / 1024;
const fmtGb = (g: number) => (g >= 1024 ? `${(g / 1024).toFixed(g >= 10240 ? 0 : 1)} TB` : `${g.toFixed(g >= 10 ? 0 : 1)} GB`);

export const STORAGE_RULES: Rule[] = [
  {
    id: 'FileStream',
    title: 'FILESTREAM or FileTable',
    level: 'database',
    category: 'blocker',
    origin: 'managed-instance-rule',
    probes: ['database.objects'],
    recommendation: 'Managed Instance cannot restore a backup with FILESTREAM filegroups: move the blobs to Azure Blob Storage (keeping their metadata in the database) and remove the FILESTREAM filegroup, or use SQL Server on an Azure VM.',
    docs: docFor('FileStream'),
    evaluate: (facts) =>
      perDatabaseFindings(
        facts.objects.filter((o) => o.kind === 'filestream-filegroup' || o.kind === 'filestream-column' || o.kind === 'filetable'),
        (o) => ({ type: o.kind === 'filestream-filegroup' ? 'FILEGROUP' : o.kind === 'filetable' ? 'FILETABLE' : 'COLUMN', name: o.schema ? `${o.schema}.${o.name}` : o.name }),
        () => 'The database uses FILESTREAM; its backup cannot be restored on Managed Instance.',
      ),
  },
  {
    id: 'MultipleLogFiles',
    title: 'Several transaction log files',
    level: 'database',
    category: 'blocker',
    origin: 'managed-instance-rule',
    probes: [],
    recommendation: 'Managed Instance restores only databases with one log file: empty and drop the extra ones before the full backup (DBCC SHRINKFILE (name, EMPTYFILE); ALTER DATABASE ... REMOVE FILE name).',
    docs: docFor('MultipleLogFiles'),
    evaluate: (facts) => {
      const ids = new Map(facts.databases.map((d) => [d.id, d.name]));
      const logs = facts.inventory.files.filter((f) => f.type === 'LOG' && ids.has(f.databaseId)).map((f) => ({ ...f, database: ids.get(f.databaseId)! }));
      const byDb = perDatabaseFindings(logs, (f) => ({ type: 'LOG_FILE', name: f.name, detail: f.physicalName }), (n) => `The database has ${n} log files; Managed Instance allows one.`);
      return byDb.filter((f) => f.objects.length > 1);
    },
  },
  {
    id: 'MIDatabaseSize',
    title: 'Database larger than the instance storage',
    level: 'database',
    category: 'blocker',
    origin: 'managed-instance-rule',
    probes: [],
    recommendation: 'Archive, compress or shard the data so the database fits, choose a tier with more storage, or use SQL Server on an Azure VM.',
    docs: docFor('MIDatabaseSize'),
    evaluate: (facts, ctx) => {
      const limitGb = maxInstanceStorageGb(ctx.limits);
      return facts.databases
        .filter((d) => gb(d.dataSizeMb + d.logSizeMb) > limitGb)
        .map((d) => ({
          database: d.name,
          message: `The database is ${fmtGb(gb(d.dataSizeMb + d.logSizeMb))}; ${TIER_NAMES[ctx.tier]} instances hold at most ${fmtGb(limitGb)}.`,
          objects: [{ type: 'DATABASE', name: d.name, detail: `data ${fmtGb(gb(d.dataSizeMb))}, log ${fmtGb(gb(d.logSizeMb))}` }],
        }));
    },
  },
  {
    id: 'MIInstanceSize',
    title: 'Databases larger than one instance',
    level: 'instance',
    category: 'warning',
    origin: 'managed-instance-rule',
    probes: [],
    recommendation: 'Spread the databases over several Managed Instances, or use SQL Server on an Azure VM.',
    docs: docFor('MIInstanceSize'),
    evaluate: (facts, ctx) => {
      const ids = new Set(facts.databases.map((d) => d.id));
      // System databases count too: their files live in the same storage.
      const totalGb = gb(facts.inventory.files.filter((f) => f.databaseId <= 4 || ids.has(f.databaseId)).reduce((s, f) => s + f.sizeMb, 0));
      const limitGb = maxInstanceStorageGb(ctx.limits);
      return totalGb > limitGb
        ? [{ message: `The assessed databases and the system databases take ${fmtGb(totalGb)}; one ${TIER_NAMES[ctx.tier]} instance holds at most ${fmtGb(limitGb)}.`, objects: [] }]
        : [];
    },
  },
  {
    id: 'NumDbExceeds100',
    title: 'More databases than one instance holds',
    level: 'instance',
    category: 'warning',
    origin: 'managed-instance-rule',
    probes: [],
    recommendation: 'Spread the databases over several Managed Instances (Next-gen General Purpose holds 500), or use SQL Server on an Azure VM.',
    docs: docFor('NumDbExceeds100'),
    evaluate: (facts, ctx) =>
      facts.databases.length > ctx.limits.maxUserDatabases
        ? [{ message: `${plural(facts.databases.length, 'database')} assessed; a ${TIER_NAMES[ctx.tier]} instance holds at most ${ctx.limits.maxUserDatabases}.`, objects: [] }]
        : [],
  },
  {
    id: 'InMemoryOltpOnGeneralPurpose',
    title: 'In-Memory OLTP on General Purpose',
    level: 'database',
    category: 'blocker',
    origin: 'managed-instance-limit',
    probes: ['database.objects'],
    recommendation: 'General Purpose tiers have no In-Memory OLTP, and the restore fails with "memory-optimized filegroup must be empty": choose Business Critical, or convert the memory-optimized tables to disk-based tables and remove the MEMORY_OPTIMIZED_DATA filegroup.',
    docs: TSQL_DIFFERENCES_DOC,
    evaluate: (facts, ctx) =>
      ctx.limits.inMemoryOltp
        ? []
        : perDatabaseFindings(
            facts.objects.filter((o) => o.kind === 'memory-optimized-filegroup' || o.kind === 'memory-optimized-table'),
            (o) => ({ type: o.kind === 'memory-optimized-table' ? 'TABLE' : 'FILEGROUP', name: o.schema ? `${o.schema}.${o.name}` : o.name }),
            () => `The database uses In-Memory OLTP, which ${TIER_NAMES[ctx.tier]} does not support.`,
          ),
  },
  {
    id: 'FileSizeLimit',
    title: 'Data or log file above the tier\'s file size limit',
    level: 'database',
    category: 'blocker',
    origin: 'managed-instance-limit',
    probes: [],
    recommendation: 'Split large data files into several files below the limit (General Purpose: 8 TB per data file) and keep log files below 2 TB.',
    docs: RESOURCE_LIMITS_DOC,
    evaluate: (facts, ctx) => {
      const ids = new Map(facts.databases.map((d) => [d.id, d.name]));
      const big = facts.inventory.files
        .filter((f) => ids.has(f.databaseId))
        .filter((f) => (f.type === 'LOG' ? gb(f.sizeMb) > ctx.limits.maxLogFileGb : ctx.limits.maxDataFileGb !== undefined && f.type === 'ROWS' && gb(f.sizeMb) > ctx.limits.maxDataFileGb))
        .map((f) => ({ ...f, database: ids.get(f.databaseId)! }));
      return perDatabaseFindings(big, (f) => ({ type: f.type === 'LOG' ? 'LOG_FILE' : 'DATA_FILE', name: f.name, detail: fmtGb(gb(f.sizeMb)) }),
        (n) => `${plural(n, 'file')} above the ${TIER_NAMES[ctx.tier]} file size limit.`);
    },
  },
  {
    id: 'TooManyDatabaseFiles',
    title: 'More files than the tier allows',
    level: 'instance',
    category: 'issue',
    origin: 'managed-instance-limit',
    probes: [],
    recommendation: 'General Purpose allows 280 database files per instance: merge files, spread the databases over several instances, or choose Next-gen General Purpose or Business Critical.',
    docs: RESOURCE_LIMITS_DOC,
    evaluate: (facts, ctx) => {
      const limit = ctx.limits.maxFilesPerInstance;
      if (limit === undefined) return [];
      const ids = new Set(facts.databases.map((d) => d.id));
      const count = facts.inventory.files.filter((f) => f.databaseId <= 4 || ids.has(f.databaseId)).length;
      return count > limit ? [{ message: `${count} database files (system databases included); ${TIER_NAMES[ctx.tier]} allows ${limit} per instance, so restores beyond that fail.`, objects: [] }] : [];
    },
  },
];
