/**
 * Post-migration validation of a database, source against target, read-only on both sides:
 * object counts by type, row counts and checksums per table (cost bounded on large tables),
 * compatibility level, database options, users without a login, TDE. Each check passes or fails
 * with its differences listed. Run it while the source is still live for an early look (in-flight
 * changes show up as differences), and after the cutover for the final word.
 *
 * Round trips per database and side: 5 (properties, options, objects, tables, users), then one per
 * `tablesPerBatch` tables for the checksums; source and target are read side by side.
 */
import { readProperties } from '../source/inventory';
import type { QueryOptions, SourceConnection } from '../source/connection';
import { checksumQuery, databaseOptionsQuery, objectsQuery, tablesQuery, usersQuery, type ChecksumMethod, type ChecksumTask } from './queries';

export const VALIDATION_FORMAT = 'sqlmig-validation';
export const DEFAULT_FULL_CHECKSUM_ROWS = 100_000;
export const DEFAULT_SAMPLE_ROWS = 1_000;
export const DEFAULT_TABLES_PER_BATCH = 50;

export type CheckId = 'objects' | 'rowCounts' | 'checksums' | 'compatibilityLevel' | 'options' | 'users' | 'tde';
export type CheckStatus = 'pass' | 'fail' | 'skipped';

export interface Difference {
  item: string;
  source?: string | number | null;
  target?: string | number | null;
  note?: string;
}

export interface ValidationCheck {
  id: CheckId;
  title: string;
  status: CheckStatus;
  summary: string;
  differences: Difference[];
  /** Differences that are Managed Instance's doing, not the migration's (listed, not failing). */
  expected: Difference[];
}

export interface TableComparison {
  table: string;
  sourceRows: number | null;
  targetRows: number | null;
  /** How the counts were read: exact (COUNT_BIG) or metadata (sys.partitions). */
  countMethod: 'exact' | 'metadata';
  checksum: 'match' | 'differ' | 'not-computed';
  checksumMethod: ChecksumMethod | 'none';
  /** Partitions whose counts differ. */
  partitions?: { partition: number; source: number | null; target: number | null }[];
  note?: string;
}

export interface ValidationReport {
  format: typeof VALIDATION_FORMAT;
  formatVersion: 1;
  createdAt: string;
  durationMs: number;
  /** early: the source is still live (an early look); final: after the cutover. */
  phase: 'early' | 'final';
  source: { server: string; database: string; productVersion: string };
  target: { server: string; database: string; productVersion: string };
  passed: boolean;
  method: { rowCounts: string; checksums: string; fullChecksumRows: number; sampleRows: number };
  checks: ValidationCheck[];
  tables: TableComparison[];
  roundTrips: { source: number; target: number };
}

export interface ValidationOptions extends QueryOptions {
  database: string;
  /** Its name on the target, when it differs. */
  targetDatabase?: string;
  phase?: 'early' | 'final';
  /** Tables up to this many rows are checksummed whole (default 100,000). */
  fullChecksumRows?: number;
  /** Larger tables: this many rows at each end of the clustered key (default 1,000). */
  sampleRows?: number;
  tablesPerBatch?: number;
  /** Skip the checksums (counts and the catalog only). */
  checksums?: boolean;
}

type Row = Record<string, unknown>;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : typeof v === 'number' ? v : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

interface TableMeta { schema: string; table: string; partitions: Map<number, number>; rows: number; key: string[] | null; heap: boolean }
interface SideFacts {
  server: string;
  productVersion: string;
  options: Map<string, string | null>;
  objects: Map<string, number>;
  tables: Map<string, TableMeta>;
  users: { name: string; type: string; sid: string; hasLogin: boolean; authentication: string }[];
}

async function readSide(conn: SourceConnection, database: string, options: QueryOptions): Promise<SideFacts> {
  const props = await readProperties(conn, options);
  const major = props.engineEdition === 8 ? 99 : props.majorVersion;
  const settled = await Promise.allSettled([
    conn.query<Row>(databaseOptionsQuery(database, major), options),
    conn.query<Row>(objectsQuery(database), options),
    conn.query<Row>(tablesQuery(database, major), options),
    conn.query<Row>(usersQuery(database, major), options),
  ]);
  if (settled[0].status === 'fulfilled' && !settled[0].value.length) throw new Error(`${conn.server} (${props.serverName}) has no database named ${database}`);
  const failed = settled.find((x): x is PromiseRejectedResult => x.status === 'rejected');
  if (failed) throw failed.reason;
  const [opts, objects, tables, users] = settled.map((x) => (x as PromiseFulfilledResult<Row[]>).value) as [Row[], Row[], Row[], Row[]];
  const tableMap = new Map<string, TableMeta>();
  for (const r of tables) {
    const key = `${str(r.schema_name)}.${str(r.table_name)}`;
    let t = tableMap.get(key);
    if (!t) {
      const k = str(r.clustered_key);
      t = { schema: str(r.schema_name)!, table: str(r.table_name)!, partitions: new Map(), rows: 0, key: k ? k.split(',').map((x) => x.trim()).filter(Boolean) : null, heap: num(r.is_heap) === 1 };
      tableMap.set(key, t);
    }
    const n = num(r.row_count) ?? 0;
    t.partitions.set(num(r.partition_number) ?? 1, n);
    t.rows += n;
  }
  return {
    server: props.serverName, productVersion: props.productVersion,
    options: new Map(opts.map((r) => [String(r.name), str(r.value)])),
    objects: new Map(objects.map((r) => [String(r.type_desc), num(r.n) ?? 0])),
    tables: tableMap,
    users: users.map((r) => ({ name: String(r.name), type: String(r.type_desc), sid: String(r.sid), hasLogin: num(r.has_login) === 1, authentication: String(r.authentication_type_desc ?? 'INSTANCE') })),
  };
}

/** How each table is checksummed: whole when small, head and tail in key order when large and keyed, not at all otherwise. */
export function checksumPlan(tables: TableMeta[], fullRows: number, sampleRows: number): { tasks: ChecksumTask[]; skipped: Map<string, string> } {
  const tasks: ChecksumTask[] = [];
  const skipped = new Map<string, string>();
  for (const t of tables) {
    if (t.rows <= fullRows) tasks.push({ schema: t.schema, table: t.table, method: 'full' });
    else if (t.key?.length) {
      tasks.push({ schema: t.schema, table: t.table, method: 'head', rows: sampleRows, key: t.key }, { schema: t.schema, table: t.table, method: 'tail', rows: sampleRows, key: t.key });
    } else skipped.set(`${t.schema}.${t.table}`, t.heap ? 'a heap above the full-checksum size: counts only' : 'no clustered key to sample by: counts only');
  }
  return { tasks, skipped };
}

/** Two batches in flight per side (the connection's pool holds two): the server works while the next batch travels. */
const CHECKSUM_CONCURRENCY = 2;

async function runChecksums(conn: SourceConnection, database: string, tasks: ChecksumTask[], perBatch: number, options: QueryOptions): Promise<Map<string, { rows: number; checksum: number | null }>> {
  const out = new Map<string, { rows: number; checksum: number | null }>();
  const batches: ChecksumTask[][] = [];
  for (let i = 0; i < tasks.length; i += perBatch) batches.push(tasks.slice(i, i + perBatch));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      for (const r of await conn.query<Row>(checksumQuery(database, batch), options)) {
        out.set(`${str(r.table_ref)}|${str(r.method)}`, { rows: num(r.row_count) ?? 0, checksum: num(r.checksum) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CHECKSUM_CONCURRENCY, batches.length) }, worker));
  return out;
}

const EXPECTED_OPTIONS: Record<string, string> = {
  recovery_model_desc: 'Managed Instance keeps every database in the FULL recovery model',
  state_desc: '',
};

const fmt = (n: number | null) => (n === null ? '-' : n.toLocaleString('en-US'));

export async function validateDatabase(source: SourceConnection, target: SourceConnection, options: ValidationOptions): Promise<ValidationReport> {
  const started = Date.now();
  const q: QueryOptions = options.signal ? { signal: options.signal } : {};
  const targetDb = options.targetDatabase ?? options.database;
  const fullRows = options.fullChecksumRows ?? DEFAULT_FULL_CHECKSUM_ROWS;
  const sampleRows = options.sampleRows ?? DEFAULT_SAMPLE_ROWS;
  const perBatch = Math.max(1, options.tablesPerBatch ?? DEFAULT_TABLES_PER_BATCH);
  const tripsBefore = { source: source.roundTrips, target: target.roundTrips };
  const [s, t] = await Promise.all([readSide(source, options.database, q), readSide(target, targetDb, q)]);

  const checks: ValidationCheck[] = [];
  const check = (id: CheckId, title: string, differences: Difference[], summaryPass: string, summaryFail: string, expected: Difference[] = [], skipped?: string): void => {
    checks.push({ id, title, status: skipped ? 'skipped' : differences.length ? 'fail' : 'pass', summary: skipped ?? (differences.length ? summaryFail : summaryPass), differences, expected });
  };

  // Objects by type.
  const types = [...new Set([...s.objects.keys(), ...t.objects.keys()])].sort();
  const objectDiffs = types.filter((k) => (s.objects.get(k) ?? 0) !== (t.objects.get(k) ?? 0)).map((k) => ({ item: k, source: s.objects.get(k) ?? 0, target: t.objects.get(k) ?? 0 }));
  const objectTotal = [...s.objects.values()].reduce((a, b) => a + b, 0);
  check('objects', 'Objects by type', objectDiffs, `${fmt(objectTotal)} objects of ${types.length} types on both sides`, `${objectDiffs.length} object types differ in number`);

  // Tables: counts (exact where the checksum counted them, metadata otherwise) and checksums.
  const sourceTables = [...s.tables.values()];
  const missing = sourceTables.filter((x) => !t.tables.has(`${x.schema}.${x.table}`));
  const extra = [...t.tables.keys()].filter((k) => !s.tables.has(k));
  const common = sourceTables.filter((x) => t.tables.has(`${x.schema}.${x.table}`));
  const plan = checksumPlan(common, fullRows, sampleRows);
  const doChecksums = options.checksums !== false;
  const [sSums, tSums] = doChecksums && plan.tasks.length
    ? await Promise.all([runChecksums(source, options.database, plan.tasks, perBatch, q), runChecksums(target, targetDb, plan.tasks, perBatch, q)])
    : [new Map(), new Map()];
  const tables: TableComparison[] = [];
  for (const st of sourceTables) {
    const name = `${st.schema}.${st.table}`;
    const tt = t.tables.get(name);
    if (!tt) {
      tables.push({ table: name, sourceRows: st.rows, targetRows: null, countMethod: 'metadata', checksum: 'not-computed', checksumMethod: 'none', note: 'not on the target' });
      continue;
    }
    const full = sSums.get(`${name}|full`);
    const fullT = tSums.get(`${name}|full`);
    const exact = full && fullT;
    const methods: ChecksumMethod[] = plan.tasks.filter((x) => x.schema === st.schema && x.table === st.table).map((x) => x.method);
    const sums = methods.map((m) => [sSums.get(`${name}|${m}`), tSums.get(`${name}|${m}`)] as const);
    const checksum: TableComparison['checksum'] = !doChecksums || !methods.length ? 'not-computed'
      : sums.every(([a, b]) => a && b && a.checksum === b.checksum && a.rows === b.rows) ? 'match' : 'differ';
    const parts = [...new Set([...st.partitions.keys(), ...tt.partitions.keys()])].sort((a, b) => a - b)
      .filter((p) => (st.partitions.get(p) ?? null) !== (tt.partitions.get(p) ?? null))
      .map((p) => ({ partition: p, source: st.partitions.get(p) ?? null, target: tt.partitions.get(p) ?? null }));
    tables.push({
      table: name, sourceRows: exact ? full.rows : st.rows, targetRows: exact ? fullT.rows : tt.rows, countMethod: exact ? 'exact' : 'metadata',
      checksum, checksumMethod: methods.length ? (methods[0] === 'full' ? 'full' : 'head') : 'none',
      ...(parts.length && st.partitions.size > 1 && { partitions: parts }),
      ...(plan.skipped.has(name) && { note: plan.skipped.get(name) }),
      ...(methods.length > 1 && { note: `first and last ${fmt(sampleRows)} rows by ${st.key!.join(', ')}` }),
    });
  }
  const countDiffs: Difference[] = [
    ...tables.filter((x) => x.targetRows !== null && x.sourceRows !== x.targetRows).map((x) => ({
      item: x.table, source: x.sourceRows, target: x.targetRows,
      note: `${fmt(Math.abs((x.sourceRows ?? 0) - (x.targetRows ?? 0)))} rows ${(x.targetRows ?? 0) < (x.sourceRows ?? 0) ? 'fewer' : 'more'} on the target (${x.countMethod === 'exact' ? 'COUNT_BIG' : 'sys.partitions'})`
        + (x.partitions?.length ? `; partition ${x.partitions.map((p) => `${p.partition}: ${fmt(p.source)} -> ${fmt(p.target)}`).join(', ')}` : ''),
    })),
    ...missing.map((x) => ({ item: `${x.schema}.${x.table}`, source: x.rows, target: null, note: 'table missing on the target' })),
    ...extra.map((k) => ({ item: k, source: null, target: t.tables.get(k)!.rows, note: 'table only on the target' })),
  ];
  const totalRows = sourceTables.reduce((a, b) => a + b.rows, 0);
  check('rowCounts', 'Row counts per table', countDiffs, `${sourceTables.length} tables, ${fmt(totalRows)} rows: the same on both sides`, `${countDiffs.length} of ${sourceTables.length} tables differ`);
  const sumDiffs = tables.filter((x) => x.checksum === 'differ').map((x) => ({
    item: x.table, note: x.checksumMethod === 'full' ? 'CHECKSUM_AGG(BINARY_CHECKSUM(*)) of the whole table differs' : `checksum of the ${x.note ?? 'sampled rows'} differs`,
  }));
  const summed = tables.filter((x) => x.checksum !== 'not-computed').length;
  check('checksums', 'Checksums per table', sumDiffs, `${summed} tables checksummed (${plan.tasks.filter((x) => x.method === 'full').length} whole, ${plan.tasks.filter((x) => x.method === 'head').length} sampled by key); all match`,
    `${sumDiffs.length} of ${summed} checksummed tables differ`, [], doChecksums ? undefined : 'skipped (asked)');

  // Compatibility level: a restore raises levels below 100 to 100.
  const sc = Number(s.options.get('compatibility_level'));
  const tc = Number(t.options.get('compatibility_level'));
  const compatExpected = sc < 100 && tc === 100;
  check('compatibilityLevel', 'Compatibility level', sc === tc || compatExpected ? [] : [{ item: 'compatibility_level', source: sc, target: tc }],
    compatExpected ? `${sc} on the source, raised to 100 on the target (Managed Instance's minimum): test the application at 100` : `${sc} on both sides`, `${sc} on the source, ${tc} on the target: ALTER DATABASE ... SET COMPATIBILITY_LEVEL = ${sc}`,
    compatExpected ? [{ item: 'compatibility_level', source: sc, target: tc, note: 'raised to 100 on restore' }] : []);

  // Options present on both sides (a newer server has more).
  const skip = new Set(['compatibility_level', 'is_encrypted', 'encryption_state']);
  const optionDiffs: Difference[] = [];
  const optionExpected: Difference[] = [];
  for (const [k, sv] of s.options) {
    if (skip.has(k) || !t.options.has(k)) continue;
    const tv = t.options.get(k) ?? null;
    if (sv === tv) continue;
    if (k in EXPECTED_OPTIONS && (k !== 'state_desc' || tv === 'ONLINE')) optionExpected.push({ item: k, source: sv, target: tv, ...(EXPECTED_OPTIONS[k] && { note: EXPECTED_OPTIONS[k] }) });
    else optionDiffs.push({ item: k, source: sv, target: tv });
  }
  check('options', 'Database options', optionDiffs, `${[...s.options.keys()].filter((k) => t.options.has(k) && !skip.has(k)).length} options compared; none differ${optionExpected.length ? ` beyond Managed Instance's own (${optionExpected.map((d) => d.item).join(', ')})` : ''}`,
    `${optionDiffs.length} options differ`, optionExpected);

  // Users without a login: orphaned on the target but not on the source.
  const orphan = (u: SideFacts['users'][number]) => !u.hasLogin && u.authentication === 'INSTANCE';
  const sourceOrphans = new Set(s.users.filter(orphan).map((u) => u.name.toLowerCase()));
  const targetOrphans = t.users.filter(orphan);
  const userDiffs = targetOrphans.filter((u) => !sourceOrphans.has(u.name.toLowerCase())).map((u) => ({ item: u.name, source: 'has a login', target: 'no login with its SID', note: `${u.type}: create its login with the same SID (sqlmig logins apply), or map it (ALTER USER ... WITH LOGIN)` }));
  const already = targetOrphans.filter((u) => sourceOrphans.has(u.name.toLowerCase())).map((u) => ({ item: u.name, source: 'no login', target: 'no login', note: 'already without a login on the source' }));
  check('users', 'Users without a login', userDiffs, `${t.users.length} users; ${targetOrphans.length ? `${targetOrphans.length} without a login, as on the source` : 'every one has its login'}`, `${userDiffs.length} users lost their login`, already);

  // TDE.
  const se = s.options.get('is_encrypted') === '1';
  const te = t.options.get('is_encrypted') === '1';
  check('tde', 'Transparent data encryption', se && !te ? [{ item: 'is_encrypted', source: 'encrypted', target: 'not encrypted', note: 'turn TDE on for the database on the instance' }] : [],
    se ? 'encrypted on both sides' : te ? 'not encrypted on the source, encrypted on the target' : 'not encrypted on either side', 'encrypted on the source, not on the target',
    !se && te ? [{ item: 'is_encrypted', source: 'not encrypted', target: 'encrypted', note: "the instance's own encryption" }] : []);

  return {
    format: VALIDATION_FORMAT, formatVersion: 1, createdAt: new Date(started).toISOString(), durationMs: Date.now() - started,
    phase: options.phase ?? 'final',
    source: { server: s.server, database: options.database, productVersion: s.productVersion },
    target: { server: t.server, database: targetDb, productVersion: t.productVersion },
    passed: checks.every((c) => c.status !== 'fail'),
    method: {
      rowCounts: 'sys.partitions rows per partition (metadata, no scan) for every table; COUNT_BIG(*) for the tables checksummed whole',
      checksums: `CHECKSUM_AGG(BINARY_CHECKSUM(*)) over the whole table up to ${fmt(fullRows)} rows; above that over the first and last ${fmt(sampleRows)} rows in clustered key order (bounded: two ordered reads of ${fmt(sampleRows)} rows; changes elsewhere in a large table show in its counts, not its checksum); large heaps and tables without a clustered key: counts only. BINARY_CHECKSUM ignores text, ntext, image and xml columns.`,
      fullChecksumRows: fullRows, sampleRows,
    },
    checks, tables,
    roundTrips: { source: source.roundTrips - tripsBefore.source, target: target.roundTrips - tripsBefore.target },
  };
}
