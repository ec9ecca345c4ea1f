/** `sqlmig assess`: assess a source SQL Server for Azure SQL Managed Instance. */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promptSecret } from '../promptSecret';
import {
  assessServer, assessServers, AssessmentInputError, fleetFromJson, fleetToCsv, fleetToHtml, fleetToJson, formatFleet, formatReport, isFleetReport,
  reportFromJson, reportToCsv, reportToHtml, reportToJson, type AssessmentReport, type FleetReport,
} from '../../core/assessment';
import { serverList } from '../../core/discovery/export';
import { sqlDatabaseResource } from '../../core/azure/cloud';
import { credentialForCloud, SIGN_IN_METHODS, sqlAccessToken, type SignInMethod } from '../../core/azure/credentials';
import { limitsTable, parseTier } from '../../core/sku/miLimits';
import { parseServerAddress, SourceError, type EncryptMode, type SourceAuth } from '../../core/source';
import { cloudFrom, str } from '../azureArgs';
import { EXIT_FAILED, EXIT_OK, UsageError, type Command, type Io, type Values } from '../command';

export const PASSWORD_ENV = 'SQLMIG_SOURCE_PASSWORD';
export const TOKEN_ENV = 'SQLMIG_SOURCE_ACCESS_TOKEN';

/**
 * A Microsoft Entra token for the cloud's SQL audience: SQLMIG_SOURCE_ACCESS_TOKEN, or one asked
 * of the cloud's own sign-in authority. The audience goes with it, so a token of another cloud
 * is refused before connecting.
 */
async function entraToken(values: Values, io: Io): Promise<SourceAuth> {
  const cloud = await cloudFrom(values);
  const audience = sqlDatabaseResource(cloud);
  const given = io.env[TOKEN_ENV];
  if (given) return { kind: 'entra-token', token: given, audience };
  const method = (str(values, 'sign-in') ?? 'auto') as SignInMethod;
  if (!SIGN_IN_METHODS.includes(method)) throw new UsageError(`--sign-in must be one of ${SIGN_IN_METHODS.join(', ')}`);
  if (cloud.accessToken) throw new UsageError(`the cloud file's token is for Resource Manager, not SQL Server: set ${TOKEN_ENV} to a token for ${audience}`);
  const tenant = str(values, 'tenant');
  const credential = credentialForCloud(cloud, { method, ...(tenant && { tenantId: tenant }), onDeviceCode: (m) => io.err(m) });
  try {
    return { kind: 'entra-token', token: await sqlAccessToken(cloud, credential, io.signal), audience };
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new Error(`${(e as Error).message}\nSign in to ${cloud.displayName} (for the Azure CLI: az cloud set --name ${cloud.name}, then az login), or set ${TOKEN_ENV} to a token for ${audience}.`);
  }
}

async function credentials(values: Values, io: Io): Promise<SourceAuth> {
  const kind = typeof values.auth === 'string' ? values.auth : 'sql';
  if (kind === 'entra-token') return entraToken(values, io);
  for (const o of ['cloud', 'cloud-file', 'sign-in', 'tenant']) {
    if (str(values, o)) throw new UsageError(`--${o} chooses where the Microsoft Entra token comes from: it goes with --auth entra-token`);
  }
  if (kind !== 'sql' && kind !== 'windows') throw new UsageError(`--auth must be sql, windows or entra-token, not "${kind}"`);
  const user = typeof values.user === 'string' ? values.user : undefined;
  if (!user) throw new UsageError(`--user is required with --auth ${kind}`);
  if (kind === 'windows' && !user.includes('\\')) throw new UsageError('--auth windows wants --user DOMAIN\\user');
  let password = io.env[PASSWORD_ENV];
  if (password === undefined) {
    if (!io.isTty || !process.stdin.isTTY) {
      throw new UsageError(`no password: set ${PASSWORD_ENV} (passwords are never taken as an option), or run in a terminal to be asked`);
    }
    password = await promptSecret(`Password for ${user}: `);
  }
  return { kind, user, password };
}

function seconds(values: Values, name: string): number | undefined {
  const v = values[name];
  if (typeof v !== 'string') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} wants a number of seconds, not "${v}"`);
  return n * 1000;
}

interface Views<R> {
  html(r: R): string;
  csv(r: R): string;
  json(r: R): string;
  text(r: R): string;
}

const SINGLE: Views<AssessmentReport> = { html: reportToHtml, csv: reportToCsv, json: reportToJson, text: formatReport };
const FLEET: Views<FleetReport> = { html: fleetToHtml, csv: fleetToCsv, json: fleetToJson, text: formatFleet };

async function writeOutputs<R>(report: R, views: Views<R>, values: Values, io: Io): Promise<void> {
  const written: string[] = [];
  if (typeof values.html === 'string') {
    const path = resolve(io.cwd, values.html);
    await writeFile(path, views.html(report));
    written.push(path);
  }
  if (typeof values.csv === 'string') {
    const path = resolve(io.cwd, values.csv);
    await writeFile(path, views.csv(report));
    written.push(path);
  }
  if (typeof values.save === 'string') {
    const path = resolve(io.cwd, values.save);
    await writeFile(path, views.json(report));
    written.push(path);
  }
  if (values.json) io.out(views.json(report).trimEnd());
  else {
    io.out(views.text(report));
    for (const w of written) io.out(`Wrote ${w}`);
  }
}

/** Exit code of a multi-server report: 1 when a database is blocked or a server was not assessed. */
const fleetExit = (r: FleetReport) => (r.summary.blocked > 0 || r.summary.failed > 0 ? EXIT_FAILED : EXIT_OK);

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

/** Every server named with --server and in --servers FILE, in order, once each; each one checked. */
async function serversToAssess(values: Values, io: Io): Promise<{ servers: string[]; fromList: boolean }> {
  const given = Array.isArray(values.server) ? values.server.map(String) : typeof values.server === 'string' ? [values.server] : [];
  let listed: string[] = [];
  if (typeof values.servers === 'string') {
    const path = resolve(io.cwd, values.servers);
    try {
      listed = serverList(await readText(path), path);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError((e as Error).message);
    }
    if (listed.length === 0) throw new UsageError(`${path} names no server to assess (a discovery report lists only the instances a SQL Server answered for)`);
  }
  const servers = [...new Set([...given, ...listed])];
  const bad: string[] = [];
  for (const s of servers) {
    try {
      parseServerAddress(s);
    } catch (e) {
      bad.push((e as Error).message);
    }
  }
  if (bad.length) throw new UsageError(bad.join('\n'));
  return { servers, fromList: typeof values.servers === 'string' };
}

export const assess: Command = {
  name: ['assess'],
  summary: 'Assess source SQL Servers\' databases for Azure SQL Managed Instance (one server, or many into one report)',
  usage: 'sqlmig assess (--server HOST[,PORT]... | --servers FILE) (--user USER | --auth entra-token [--cloud NAME]) [--database NAME]... [--tier TIER] [--offline] [--json | --html FILE | --csv FILE]',
  help: `Connects to the source SQL Server, reads its inventory and checks every user database
(or those named with --database) against the Managed Instance rules and the prerequisites
of an online migration. Each database comes out READY, ISSUES (migrates, but something
needs work) or BLOCKED (cannot be migrated as it is), with every finding, the objects it
concerns and what to do.

The password comes from the ${PASSWORD_ENV} environment variable, or a prompt when
run in a terminal; it is never an option. A Microsoft Entra access token comes from
${TOKEN_ENV} or, when that is not set, from signing in to the cloud (--sign-in). It
is for the cloud's SQL audience: https://database.windows.net/ in Azure (--cloud
AzureCloud, the default), https://database.usgovcloudapi.net/ in Azure US Government,
https://database.chinacloudapi.cn/ in Azure China, or a cloud file's "sqlDatabaseResource".

Connection:
  --server HOST[,PORT]          also HOST\\INSTANCE; repeat it to assess several servers
  --servers FILE                the servers to assess: a "sqlmig discover --out" report (each
                                instance a SQL Server answered for), or one server per line
  --parallel N                  servers assessed at once (default 4)
  --user USER                   a SQL login, or DOMAIN\\user with --auth windows
  --auth sql|windows|entra-token
                                SQL authentication (default), Windows (NTLM), or an access token
  --cloud NAME | --cloud-file PATH
                                with entra-token: the token's cloud, AzureCloud (default),
                                AzureUSGovernment or AzureChinaCloud (aliases public, usgov, china)
  --sign-in METHOD              with entra-token and no ${TOKEN_ENV}: how to sign in to
                                the cloud, auto (default: environment, then the Azure CLI),
                                azure-cli, environment or device-code
  --tenant ID                   the Microsoft Entra tenant to sign in to
  --encrypt mandatory|optional|strict
                                TLS after PRELOGIN (default), only if the server insists, or
                                TDS 8.0 strict (SQL Server 2022+, always checks the certificate)
  --trust-server-certificate    accept any certificate (not in strict mode); a check you turn off
  --trusted-certificate FILE    a PEM certificate to trust, e.g. the server's self-signed one
  --host-name-in-certificate NAME
                                the name to expect in the certificate when connecting by IP
  --connect-timeout SECONDS     default 15
  --query-timeout SECONDS       default 120

Assessment:
  --database NAME               assess only this database (repeat for more)
  --tier TIER                   general-purpose (default), next-gen-general-purpose, business-critical
                                (gp, next-gen, bc)
  --offline                     assess for an offline migration (SIMPLE recovery is fine)
  --limits VERSION              the Managed Instance limits table to use (default: the newest)

Output (a text summary unless --json):
  --json                        print the report as JSON
  --html FILE                   write a self-contained HTML report
  --csv FILE                    write one row per finding (and per database without findings)
  --save FILE                   write the JSON report to a file
  --import FILE                 read a saved JSON report instead of connecting (to convert it)

Several servers (--server repeated, or --servers) are assessed with the same login into one
report: a table of the servers, then each server's databases; a server that cannot be reached
or refuses the login is listed with why and the others go on. --json, --save, --html and --csv
write that report (--import reads it back). One --server gives the single-server report.

Exit code: 0 when no assessed database is blocked, 1 when one is or the assessment failed
(or, for several servers, one could not be assessed), 2 on usage errors.

Examples:
  SQLMIG_SOURCE_PASSWORD=... sqlmig assess --server sql01,1433 --user migrator --html report.html
  sqlmig assess --server sql01 --user CONTOSO\\dba --auth windows --database Sales --tier bc --json
  sqlmig assess --server sql01.contoso.us --auth entra-token --cloud usgov --html report.html
  sqlmig assess --import report.json --csv findings.csv
  sqlmig discover 10.0.4.0/24 --out servers.json
  SQLMIG_SOURCE_PASSWORD=... sqlmig assess --servers servers.json --user migrator --html fleet.html`,
  options: {
    server: { type: 'string', multiple: true },
    servers: { type: 'string' },
    parallel: { type: 'string' },
    user: { type: 'string' },
    auth: { type: 'string' },
    cloud: { type: 'string' },
    'cloud-file': { type: 'string' },
    'sign-in': { type: 'string' },
    tenant: { type: 'string' },
    encrypt: { type: 'string' },
    'trust-server-certificate': { type: 'boolean' },
    'trusted-certificate': { type: 'string' },
    'host-name-in-certificate': { type: 'string' },
    'connect-timeout': { type: 'string' },
    'query-timeout': { type: 'string' },
    database: { type: 'string', multiple: true },
    tier: { type: 'string' },
    offline: { type: 'boolean' },
    limits: { type: 'string' },
    json: { type: 'boolean' },
    html: { type: 'string' },
    csv: { type: 'string' },
    save: { type: 'string' },
    import: { type: 'string' },
  },
  async run(values, _positionals, io) {
    if (typeof values.import === 'string') {
      const path = resolve(io.cwd, values.import);
      const text = await readText(path);
      let fleet = false;
      try {
        fleet = isFleetReport(JSON.parse(text));
      } catch {
        // not JSON: reportFromJson says so
      }
      if (fleet) {
        const report = fleetFromJson(text, path);
        await writeOutputs(report, FLEET, values, io);
        return fleetExit(report);
      }
      const report = reportFromJson(text, path);
      await writeOutputs(report, SINGLE, values, io);
      return report.summary.blocked > 0 ? EXIT_FAILED : EXIT_OK;
    }
    const { servers, fromList } = await serversToAssess(values, io);
    if (servers.length === 0) throw new UsageError('--server is required (HOST, HOST,PORT or HOST\\INSTANCE), or --servers FILE');
    let parallel: number | undefined;
    if (typeof values.parallel === 'string') {
      parallel = Number(values.parallel);
      if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64) throw new UsageError(`--parallel wants a whole number from 1 to 64, not "${values.parallel}"`);
    }
    let tier;
    let limitsVersion: string | undefined;
    try {
      tier = typeof values.tier === 'string' ? parseTier(values.tier) : 'general-purpose';
      limitsVersion = typeof values.limits === 'string' ? limitsTable(values.limits).version : undefined;
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const encrypt = (typeof values.encrypt === 'string' ? values.encrypt : 'mandatory') as EncryptMode;
    if (!['mandatory', 'optional', 'strict'].includes(encrypt)) throw new UsageError(`--encrypt must be mandatory, optional or strict, not "${encrypt}"`);
    let trustedCertificates: string | undefined;
    if (typeof values['trusted-certificate'] === 'string') {
      const path = resolve(io.cwd, values['trusted-certificate']);
      trustedCertificates = await readFile(path, 'utf8').catch(() => {
        throw new UsageError(`cannot read the certificate file ${path}`);
      });
    }
    const auth = await credentials(values, io);
    const connectTimeoutMs = seconds(values, 'connect-timeout');
    const queryTimeoutMs = seconds(values, 'query-timeout');
    const showProgress = io.isTty && !values.json;
    const connection = {
      auth,
      encrypt,
      trustServerCertificate: Boolean(values['trust-server-certificate']),
      ...(trustedCertificates && { trustedCertificates }),
      ...(typeof values['host-name-in-certificate'] === 'string' && { hostNameInCertificate: values['host-name-in-certificate'] }),
      ...(connectTimeoutMs && { connectTimeoutMs }),
      ...(queryTimeoutMs && { queryTimeoutMs }),
    };
    if (servers.length > 1 || fromList) {
      const report = await assessServers(servers, connection, {
        ...(Array.isArray(values.database) && { databases: values.database }),
        tier,
        mode: values.offline ? 'offline' : 'online',
        ...(limitsVersion && { limitsVersion }),
        ...(parallel && { parallel }),
        ...(io.signal && { signal: io.signal }),
        ...(showProgress && { onProgress: (p) => io.err(`\r[${p.serversDone}/${p.servers} servers] ${p.server}: ${p.message}\x1b[K`) }),
      }).finally(() => showProgress && io.err('\r\x1b[K'));
      await writeOutputs(report, FLEET, values, io);
      return fleetExit(report);
    }
    let report: AssessmentReport;
    try {
      report = await assessServer(
        { ...connection, server: servers[0]! },
        {
          ...(Array.isArray(values.database) && { databases: values.database }),
          tier,
          mode: values.offline ? 'offline' : 'online',
          ...(limitsVersion && { limitsVersion }),
          ...(io.signal && { signal: io.signal }),
          ...(showProgress && { onProgress: (p) => io.err(`\r${p.message} (${p.done}/${p.total})\x1b[K`) }),
        },
      );
    } catch (e) {
      if (showProgress) io.err('\r\x1b[K');
      if (e instanceof SourceError || e instanceof AssessmentInputError) {
        io.err(`sqlmig assess: ${e.message}`);
        return EXIT_FAILED;
      }
      throw e;
    }
    if (showProgress) io.err('\r\x1b[K');
    await writeOutputs(report, SINGLE, values, io);
    return report.summary.blocked > 0 ? EXIT_FAILED : EXIT_OK;
  },
};
