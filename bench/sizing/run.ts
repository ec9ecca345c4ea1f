/**
 * bench/sizing: what performance collection costs the source, per sample, measured against the
 * cheapest query the same server answers in the same run (SELECT 1, the connection pool's probe).
 * The sandbox SQL Server runs in a child process, its clock moved by the collector's waits, so
 * samples come back to back; its own time per request (arrival to last byte) is read from its
 * counters. The server's time is the sandbox's (it computes the counters from a model), so the
 * ratio measures what the product asks of a server per sample (one batch, its rows), not the DMVs'
 * cost inside SQL Server.
 *
 *   npm run bench:sizing [-- --samples 60 --databases 40]
 *
 * Targets: one round trip per sample; server time per sample <= 20x SELECT 1's.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { manyDatabasesProfile } from '../../sandbox/profiles/generate';
import { startTdsServer, type TdsServerStats } from '../../sandbox/tds';
import { collectPerformance } from '../../src/core/perf';
import { connectSource, sourceQuery } from '../../src/core/source';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

type Message = { port: number } | { stats: TdsServerStats } | { advanced: true };

async function serve(databases: number, password: string): Promise<void> {
  let t = Date.parse('2026-11-03T13:00:00Z');
  const server = await startTdsServer({ profile: manyDatabasesProfile(databases, 4), logins: [{ user: 'bench', password }], now: () => t });
  process.send!({ port: server.port });
  process.on('message', async (m: unknown) => {
    if (m === 'stats') process.send!({ stats: { ...server.stats, queryIds: [...server.stats.queryIds] } });
    if (m === 'reset') Object.assign(server.stats, { requests: 0, queryIds: [], busyMs: 0 });
    if (typeof m === 'object' && m && 'advance' in m) {
      t += (m as { advance: number }).advance;
      process.send!({ advanced: true });
    }
    if (m === 'stop') {
      await server.stop();
      process.exit(0);
    }
  });
}

function next(child: ChildProcess): Promise<Message> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the server process exited with code ${code}`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as Message);
    });
  });
}

async function main(): Promise<void> {
  if (process.argv[2] === '--serve') return serve(Number(process.argv[3]), process.env.BENCH_PASSWORD!);
  const samples = arg('samples', 60);
  const databases = arg('databases', 40);
  const password = randomBytes(12).toString('base64url');
  const child = fork(__filename, ['--serve', String(databases)], { env: { ...process.env, BENCH_PASSWORD: password }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: process.execArgv });
  const folder = mkdtempSync(join(tmpdir(), 'sqlmig-bench-sizing-'));
  try {
    const { port } = (await next(child)) as { port: number };
    const conn = await connectSource({ server: `127.0.0.1,${port}`, auth: { kind: 'sql', user: 'bench', password }, trustServerCertificate: true });
    const stats = async () => ((child.send('stats'), await next(child)) as { stats: TdsServerStats }).stats;
    try {
      // The baseline: SELECT 1, the cheapest query there is, in the same run.
      const ping = sourceQuery('bench.ping', 'SELECT 1');
      for (let i = 0; i < 20; i++) await conn.query({ ...ping, text: 'SELECT 1' }); // warm-up
      child.send('reset');
      let t0 = performance.now();
      for (let i = 0; i < samples; i++) await conn.query({ ...ping, text: 'SELECT 1' });
      const pingWall = (performance.now() - t0) / samples;
      const pingServer = (await stats()).busyMs / samples;

      const run = async (bufferPoolEvery: number) => {
        rmSync(folder, { recursive: true, force: true });
        child.send('reset');
        const trips = conn.roundTrips;
        t0 = performance.now();
        const r = await collectPerformance(conn, {
          folder, intervalSec: 30, durationSec: 30 * (samples - 1), bufferPoolEvery, now: () => 0,
          sleep: async (ms) => {
            child.send({ advance: Math.max(ms, 30_000) });
            await next(child);
          },
        });
        const wall = performance.now() - t0;
        const s = await stats();
        const sampleIds = s.queryIds.filter((q) => q === 'perf.sample').length;
        const staticIds = s.queryIds.length - sampleIds;
        // Server time of the static reads is small; count it all against the samples (a conservative figure).
        return { r, wall, trips: conn.roundTrips - trips, sampleIds, staticIds, serverPerSample: s.busyMs / sampleIds, bytes: statSync(join(folder, 'samples.jsonl')).size / r.taken };
      };
      await run(10); // warm-up: the first collection pays for compiling the code paths
      const every10 = await run(10);
      const every1 = await run(1);
      console.log(`machine: ${cpus().length} cores, node ${process.version}; the sandbox server in a child process; ${databases} databases (${databases * 2 + 8} files); ${samples} samples`);
      console.log(`baseline SELECT 1: ${pingServer.toFixed(3)} ms server time, ${pingWall.toFixed(3)} ms round trip`);
      for (const [label, x] of [['buffer pool every 10th sample (default)', every10], ['buffer pool every sample (Microsoft\'s collector)', every1]] as const) {
        console.log(`${label}:`);
        console.log(`  round trips: ${x.trips} for ${x.r.taken} samples = ${x.sampleIds} sample batches + ${x.staticIds} static reads; ${(x.sampleIds / x.r.taken).toFixed(2)} per sample (target 1)`);
        console.log(`  server time per sample: ${x.serverPerSample.toFixed(3)} ms = ${(x.serverPerSample / pingServer).toFixed(1)} x SELECT 1 (target <= 20)`);
        console.log(`  round trip per sample (client): ${x.r.sampleCostMs.mean.toFixed(3)} ms = ${(x.r.sampleCostMs.mean / pingWall).toFixed(1)} x SELECT 1's; ${Math.round(x.bytes)} bytes stored per sample`);
      }
      const ok = every10.sampleIds === every10.r.taken && every10.serverPerSample / pingServer <= 20;
      console.log(ok ? 'all targets met' : 'TARGETS MISSED');
      process.exitCode = ok ? 0 : 1;
    } finally {
      await conn.close();
    }
  } finally {
    child.send('stop');
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
