/** `sqlmig discover`: find SQL Server instances on the hosts and ranges the user names. */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  countTargets, DEFAULT_MAX_HOSTS, discover, discoveryToCsv, discoveryToJson, formatDiscovery, HARD_MAX_HOSTS, parseTargets, SSRP_PORT,
  TargetError, TooManyTargetsError, type BroadcastMode, type TargetSpec,
} from '../../core/discovery';
import { EXIT_FAILED, EXIT_OK, UsageError, type Command, type Io, type Values } from '../command';

function integer(values: Values, name: string, min: number, max: number): number | undefined {
  const v = values[name];
  if (typeof v !== 'string') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} wants a whole number from ${min} to ${max}, not "${v}"`);
  return n;
}

function ports(values: Values): number[] | undefined {
  const given = values.port;
  if (!Array.isArray(given) || given.length === 0) return undefined;
  const out: number[] = [];
  for (const word of given.flatMap((g) => String(g).split(','))) {
    const n = Number(word.trim());
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`--port wants TCP ports (1 to 65535), not "${word}"`);
    out.push(n);
  }
  return out;
}

async function readTargets(values: Values, positionals: string[], io: Io): Promise<TargetSpec[]> {
  const inputs = [...positionals];
  if (typeof values.targets === 'string') {
    const path = resolve(io.cwd, values.targets);
    try {
      inputs.push(await readFile(path, 'utf8'));
    } catch (e) {
      throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
  }
  try {
    return parseTargets(inputs);
  } catch (e) {
    if (e instanceof TargetError) throw new UsageError(e.message);
    throw e;
  }
}

/** Above the cap: --yes, or a "y" on a terminal; never silently. */
async function confirmLarge(count: number, cap: number, values: Values, io: Io): Promise<boolean> {
  if (values.yes) return true;
  if (!io.ask) throw new UsageError(`the targets stand for ${count} hosts, more than ${cap}: add --yes to probe them all, or name smaller ranges`);
  const answer = await io.ask(`Probe ${count} hosts (more than ${cap})? [y/N] `);
  return /^y(es)?$/i.test(answer.trim());
}

export const discoverCommand: Command = {
  name: ['discover'],
  summary: 'Find SQL Server instances on the hosts and ranges you name (SQL Server Browser, TDS PRELOGIN)',
  usage: 'sqlmig discover <host|address|range>... [--targets FILE] [--port N]... [--broadcast | --broadcast-only] [--json | --csv FILE | --out FILE]',
  positionals: true,
  help: `Finds SQL Server instances on the hosts and ranges you name, and nowhere else:

  1. asks each host's SQL Server Browser (UDP ${SSRP_PORT}) for its instances: names, versions,
     clustered or not, and the TCP port of each named instance;
  2. connects to each of those ports and to every --port (default 1433) and sends a TDS PRELOGIN:
     a SQL Server answers with its version. Nobody logs in; no credentials are used.

Targets: host names, IPv4 or IPv6 addresses, IPv4 CIDR ranges (10.0.4.0/24) and ranges
(10.0.4.10-10.0.4.40 or 10.0.4.10-40), as arguments or in --targets FILE (one or more per line,
# starts a comment). Ranges leave out their network and broadcast addresses. More than
--max-hosts hosts (default ${DEFAULT_MAX_HOSTS}, a /24) need --yes (or a "y" on a terminal); more than
${HARD_MAX_HOSTS} (a /16) are refused.

Options:
  --targets FILE            read targets from a file too
  --port N                  TCP ports to probe on every host (repeat, or 1433,1533); default 1433
  --no-browser              do not ask SQL Server Browser (only the --port probes)
  --ssrp-port N             the SQL Server Browser's UDP port (default ${SSRP_PORT})
  --broadcast               also broadcast a request on each local network whose whole subnet
                            is one of the named CIDR ranges (a broadcast reaches every host
                            there); answers from outside the named ranges are ignored
  --broadcast-only          broadcast only: ranges are not probed address by address (and not
                            capped); the hosts that answer are probed
  --timeout SECONDS         per request (default 2)
  --concurrency N           hosts probed at once (default 32, at most 256)
  --max-hosts N             hosts probed without --yes (default ${DEFAULT_MAX_HOSTS})
  --yes                     probe more than --max-hosts hosts
  --json                    print the result as JSON
  --csv FILE                write one row per instance (and per host where none answered)
  --out FILE                write the result as JSON for "sqlmig assess --servers FILE"

The edition is not known before logging in: the assessment reports it.

Exit code: 0 when at least one SQL Server answered, 1 when none did, 2 on usage errors.

Examples:
  sqlmig discover sql01 sql02.contoso.com 10.0.4.0/24 --out servers.json
  sqlmig discover 10.0.4.0/24 --broadcast-only --csv instances.csv
  sqlmig discover --targets hosts.txt --port 1433,14330 --timeout 1
  SQLMIG_SOURCE_PASSWORD=... sqlmig assess --servers servers.json --user migrator --html fleet.html`,
  options: {
    targets: { type: 'string' },
    port: { type: 'string', multiple: true },
    'no-browser': { type: 'boolean' },
    'ssrp-port': { type: 'string' },
    broadcast: { type: 'boolean' },
    'broadcast-only': { type: 'boolean' },
    timeout: { type: 'string' },
    concurrency: { type: 'string' },
    'max-hosts': { type: 'string' },
    yes: { type: 'boolean' },
    json: { type: 'boolean' },
    csv: { type: 'string' },
    out: { type: 'string' },
  },
  async run(values, positionals, io) {
    const specs = await readTargets(values, positionals, io);
    if (values.broadcast && values['broadcast-only']) throw new UsageError('--broadcast and --broadcast-only exclude each other');
    if (values['no-browser'] && (values.broadcast || values['broadcast-only'])) throw new UsageError('a broadcast asks SQL Server Browser: it does not go with --no-browser');
    const broadcast: BroadcastMode = values['broadcast-only'] ? 'only' : values.broadcast ? 'also' : 'off';
    let timeoutMs: number | undefined;
    if (typeof values.timeout === 'string') {
      const s = Number(values.timeout);
      if (!Number.isFinite(s) || s <= 0 || s > 60) throw new UsageError(`--timeout wants seconds (more than 0, at most 60), not "${values.timeout}"`);
      timeoutMs = Math.round(s * 1000);
    }
    const maxHosts = integer(values, 'max-hosts', 1, HARD_MAX_HOSTS) ?? DEFAULT_MAX_HOSTS;
    const probed = broadcast === 'only' ? specs.filter((s) => s.first === undefined) : specs;
    const count = countTargets(probed);
    if (count > HARD_MAX_HOSTS) throw new UsageError(new TooManyTargetsError(count, HARD_MAX_HOSTS, true).message);
    let confirmed = false;
    if (count > maxHosts) {
      confirmed = await confirmLarge(count, maxHosts, values, io);
      if (!confirmed) {
        io.err('Nothing was probed.');
        return EXIT_FAILED;
      }
    }
    const tcpPorts = ports(values);
    const ssrpPort = integer(values, 'ssrp-port', 1, 65535);
    const concurrency = integer(values, 'concurrency', 1, 256);
    const showProgress = io.isTty && !values.json;
    const report = await discover(
      specs.map((s) => s.text),
      {
        ...(tcpPorts && { ports: tcpPorts }),
        ssrp: !values['no-browser'],
        ...(ssrpPort !== undefined && { ssrpPort }),
        broadcast,
        ...(timeoutMs && { timeoutMs }),
        ...(concurrency !== undefined && { concurrency }),
        maxHosts,
        confirmed,
        ...(io.signal && { signal: io.signal }),
        ...(showProgress && { onProgress: (p) => io.err(`\r${p.done}/${p.total} hosts, ${p.found} instances found  ${p.message}\x1b[K`) }),
      },
    ).finally(() => showProgress && io.err('\r\x1b[K'));
    const written: string[] = [];
    if (typeof values.out === 'string') {
      const path = resolve(io.cwd, values.out);
      await writeFile(path, discoveryToJson(report));
      written.push(path);
    }
    if (typeof values.csv === 'string') {
      const path = resolve(io.cwd, values.csv);
      await writeFile(path, discoveryToCsv(report));
      written.push(path);
    }
    if (values.json) io.out(discoveryToJson(report).trimEnd());
    else {
      io.out(formatDiscovery(report));
      for (const w of written) io.out(`Wrote ${w}`);
    }
    return report.servers.some((s) => s.tds) ? EXIT_OK : EXIT_FAILED;
  },
};
