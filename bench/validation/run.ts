/**
 * bench/validation: validates a 200-table database, the sandbox SQL Server as the source and the
 * sandbox managed instance holding its restored copy, each in a child process, and compares the
 * round trips and the wall time with the two servers' own response times measured in the same
 * run (each request's arrival to its last byte, summed over both servers).
 *
 *   npm run bench:validation [-- --tables 200 --rounds 3]
 *
 * Targets: round trips per side <= 5 + one per 50 checksum tasks; wall time <= 3x the servers' time.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import type { ProfileDatabase, ServerProfile } from '../../sandbox/tds/profile';
import { startManagedInstanceServer, startTdsServer, type TdsServerStats } from '../../sandbox/tds';
import { connectSource, connectTarget } from '../../src/core/source';
import { DEFAULT_TABLES_PER_BATCH, validateDatabase } from '../../src/core/validation';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

/** A database of `tables` tables: most small enough to checksum whole, every tenth large (sampled by key), a few large heaps (counts only). */
export function benchDatabase(tables: number): ProfileDatabase {
  return {
    name: 'Big',
    compatibilityLevel: 150,
    files: [{ name: 'Big', type: 'ROWS', sizeMb: 512000 }, { name: 'Big_log', type: 'LOG', sizeMb: 65536 }],
    tables: Array.from({ length: tables }, (_, i) => ({
      name: `T${String(i).padStart(3, '0')}`,
      columns: ['Id', 'Name', 'Value'],
      ...(i % 10 === 0 ? { rows: 5_000_000 + i, partitions: 4 } : i % 17 === 0 ? { rows: 2_000_000 + i, key: null } : { rows: 1_000 + ((i * 7919) % 90_000) }),
    })),
    modules: Array.from({ length: 120 }, (_, i) => ({ name: `usp_${i}`, definition: `CREATE PROCEDURE dbo.usp_${i} AS SELECT ${i}` })),
    users: [{ name: 'app', type: 'SQL_USER' }],
  };
}

type Message = { port: number; certificate?: string } | { stats: TdsServerStats };

async function serve(kind: string, tables: number, password: string): Promise<void> {
  const db = benchDatabase(tables);
  const profile: ServerProfile = { server: { name: 'SQLBENCH01', version: '15.0.4298.1' }, databases: [db], logins: [{ name: 'app', type: 'SQL_LOGIN' }] };
  const server = kind === 'source'
    ? await startTdsServer({ profile, logins: [{ user: 'bench', password }] })
    : await startManagedInstanceServer({ name: 'sqlmi-bench', hostName: 'sqlmi-bench.localhost', admin: { user: 'bench', password }, databases: () => [{ name: 'Big', content: db }] });
  process.send!({ port: server.port, ...(server.certificate && { certificate: server.certificate }) });
  process.on('message', async (m) => {
    if (m === 'stats') process.send!({ stats: { ...server.stats, queryIds: [...server.stats.queryIds] } });
    if (m === 'reset') Object.assign(server.stats, { requests: 0, queryIds: [], busyMs: 0 });
    if (m === 'stop') {
      await server.stop();
      process.exit(0);
    }
  });
}

function next(child: ChildProcess): Promise<Message> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`a server process exited with code ${code}`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as Message);
    });
  });
}

async function main(): Promise<void> {
  if (process.argv[2] === '--serve') return serve(process.argv[3]!, Number(process.argv[4]), process.env.BENCH_PASSWORD!);
  const tables = arg('tables', 200);
  const rounds = arg('rounds', 3);
  const password = randomBytes(12).toString('base64url');
  const spawn = (kind: string) => fork(__filename, ['--serve', kind, String(tables)], { env: { ...process.env, BENCH_PASSWORD: password }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: process.execArgv });
  const sourceChild = spawn('source');
  const targetChild = spawn('target');
  try {
    const s = (await next(sourceChild)) as { port: number };
    const t = (await next(targetChild)) as { port: number; certificate: string };
    const source = await connectSource({ server: `127.0.0.1,${s.port}`, auth: { kind: 'sql', user: 'bench', password }, trustServerCertificate: true });
    const target = await connectTarget({ server: `127.0.0.1,${t.port}`, auth: { kind: 'sql', user: 'bench', password }, trustedCertificates: t.certificate, hostNameInCertificate: 'sqlmi-bench.localhost' });
    const stats = async (c: ChildProcess) => ((c.send('stats'), await next(c)) as { stats: TdsServerStats }).stats;
    try {
      const runs: { wall: number; server: number; sourceMs: number; targetMs: number; trips: { source: number; target: number }; passed: boolean; tasks: number }[] = [];
      for (let r = 0; r < rounds + 1; r++) {
        sourceChild.send('reset');
        targetChild.send('reset');
        const t0 = performance.now();
        const report = await validateDatabase(source, target, { database: 'Big' });
        const wall = performance.now() - t0;
        const [ss, ts] = await Promise.all([stats(sourceChild), stats(targetChild)]);
        const tasks = report.tables.reduce((n, x) => n + (x.checksumMethod === 'full' ? 1 : x.checksumMethod === 'head' ? 2 : 0), 0);
        if (r > 0) runs.push({ wall, server: ss.busyMs + ts.busyMs, sourceMs: ss.busyMs, targetMs: ts.busyMs, trips: report.roundTrips, passed: report.passed, tasks });
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const wall = median(runs.map((x) => x.wall));
      const server = median(runs.map((x) => x.server));
      const { trips, tasks } = runs[0]!;
      const budget = 5 + Math.ceil(tasks / DEFAULT_TABLES_PER_BATCH);
      console.log(`machine: ${cpus().length} cores, node ${process.version}; source and target in child processes; median of ${rounds} rounds after a warm-up`);
      console.log(`database: ${tables} tables (${tasks} checksum tasks: whole tables, and the first and last 1,000 rows of the large ones), ${runs[0]!.passed ? 'PASS' : 'FAIL'}`);
      console.log(`round trips: source ${trips.source}, target ${trips.target}; budget per side 5 + ${tasks} tasks / ${DEFAULT_TABLES_PER_BATCH} per batch = ${budget}; ratio ${(Math.max(trips.source, trips.target) / budget).toFixed(2)} (target <= 1)`);
      console.log(`wall time (options, objects, tables, users and checksums on both sides): ${wall.toFixed(0)} ms`);
      console.log(`servers' own response time, same run: ${server.toFixed(0)} ms (source ${median(runs.map((x) => x.sourceMs)).toFixed(0)}, target ${median(runs.map((x) => x.targetMs)).toFixed(0)})`);
      console.log(`ratio wall / servers: ${(wall / server).toFixed(2)} (target <= 3; the two sides run side by side)`);
      const ok = Math.max(trips.source, trips.target) <= budget && wall / server <= 3 && runs.every((x) => x.passed);
      console.log(ok ? 'all targets met' : 'TARGETS MISSED');
      process.exitCode = ok ? 0 : 1;
    } finally {
      await Promise.all([source.close(), target.close()]);
    }
  } finally {
    sourceChild.send('stop');
    targetChild.send('stop');
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
