/**
 * bench/assessment: assesses a generated 200-database server (120 procedures each) served by the
 * sandbox TDS server in a child process, and compares with the server's own response time
 * measured in the same run (the time it spent from each request's arrival to its last byte).
 *
 *   npm run bench:assessment [-- --databases 200 --rounds 3]
 *
 * Targets: round trips <= rules + databases; wall time <= 3x the server's response time.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { manyDatabasesProfile } from '../../sandbox/profiles/generate';
import { startTdsServer, type TdsServerStats } from '../../sandbox/tds';
import { ALL_RULES, assessServer } from '../../src/core/assessment';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

type Message = { port: number } | { stats: TdsServerStats };

/** The server side: a child process holding the sandbox server, answering "stats" and "stop". */
async function serve(databases: number, password: string): Promise<void> {
  const server = await startTdsServer({ profile: manyDatabasesProfile(databases), logins: [{ user: 'bench', password }] });
  process.send!({ port: server.port });
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
    child.once('message', (m) => resolve(m as Message));
    child.once('exit', (code) => reject(new Error(`the server process exited with code ${code}`)));
  });
}

async function main(): Promise<void> {
  if (process.argv[2] === '--serve') return serve(Number(process.argv[3]), process.env.BENCH_PASSWORD!);
  const databases = arg('databases', 200);
  const rounds = arg('rounds', 3);
  const password = randomBytes(12).toString('base64url');
  const child = fork(__filename, ['--serve', String(databases)], { env: { ...process.env, BENCH_PASSWORD: password }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const { port } = (await next(child)) as { port: number };
    const connection = { server: `127.0.0.1,${port}`, auth: { kind: 'sql' as const, user: 'bench', password }, trustServerCertificate: true };
    const runs: { wallMs: number; serverMs: number; roundTrips: number; requests: number }[] = [];
    let summary = '';
    for (let r = 0; r < rounds + 1; r++) {
      child.send('reset');
      const t = performance.now();
      const report = await assessServer(connection);
      const wallMs = performance.now() - t;
      child.send('stats');
      const { stats } = (await next(child)) as { stats: TdsServerStats };
      if (r > 0) runs.push({ wallMs, serverMs: stats.busyMs, roundTrips: report.roundTrips, requests: stats.queryIds.length }); // round 0 warms up
      summary = `${report.summary.databases} databases: ${report.summary.ready} ready, ${report.summary.issues} with issues, ${report.summary.blocked} blocked; ${report.summary.blockers + report.summary.issueCount + report.summary.warnings} findings`;
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const wall = median(runs.map((x) => x.wallMs));
    const server = median(runs.map((x) => x.serverMs));
    const trips = runs[0]!.roundTrips;
    const budget = ALL_RULES.length + databases;
    console.log(`machine: ${cpus().length} cores, node ${process.version}; server in a child process; median of ${rounds} rounds after a warm-up`);
    console.log(summary);
    console.log(`round trips: ${trips} (the server saw ${runs[0]!.requests} product queries)   budget rules + databases = ${ALL_RULES.length} + ${databases} = ${budget}   ratio ${(trips / budget).toFixed(3)} (target <= 1)`);
    console.log(`wall time (connect, TLS, login, inventory, probes, rules): ${wall.toFixed(0)} ms`);
    console.log(`server response time, same run:                            ${server.toFixed(0)} ms`);
    console.log(`ratio wall / server: ${(wall / server).toFixed(2)} (target <= 3)`);
    const ok = trips <= budget && wall / server <= 3;
    console.log(ok ? 'all targets met' : 'TARGETS MISSED');
    process.exitCode = ok ? 0 : 1;
  } finally {
    child.send('stop');
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
