/**
 * The load client of bench/sandbox, run as its own process so that its work does not share the
 * sandbox's event loop. Reads a plan on stdin, runs each phase for its duration with
 * `concurrency` keep-alive connections (each request waits for the previous answer on its
 * connection), and prints one JSON line of figures per phase.
 */
import { Agent, request } from 'node:http';

export interface Phase {
  name: string;
  /** Paths (with query) requested round-robin. */
  paths: string[];
  seconds: number;
}

export interface Plan {
  baseUrl: string;
  token: string;
  concurrency: number;
  phases: Phase[];
}

export interface PhaseResult {
  name: string;
  requests: number;
  errors: number;
  seconds: number;
  p50: number;
  p95: number;
  p99: number;
  bytesPerAnswer: number;
}

function get(agent: Agent, url: URL, token: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function runPhase(plan: Plan, phase: Phase): Promise<PhaseResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: plan.concurrency });
  const urls = phase.paths.map((p) => new URL(p, plan.baseUrl));
  const latencies: number[] = [];
  let errors = 0;
  let bytes = 0;
  let next = 0;
  const started = performance.now();
  const end = started + phase.seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const url = urls[next++ % urls.length]!;
      const t = performance.now();
      try {
        const r = await get(agent, url, plan.token);
        latencies.push(performance.now() - t);
        bytes += r.bytes;
        if (r.status !== 200) errors++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    name: phase.name,
    requests: latencies.length,
    errors,
    seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    bytesPerAnswer: latencies.length ? Math.round(bytes / latencies.length) : 0,
  };
}

async function main(): Promise<void> {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const plan = JSON.parse(input) as Plan;
  for (const phase of plan.phases) process.stdout.write(`${JSON.stringify(await runPhase(plan, phase))}\n`);
}

void main();
