/** `sqlmig assess`: assess a source SQL Server for Azure SQL Managed Instance. */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import {
  assessServer, AssessmentInputError, formatReport, reportFromJson, reportToCsv, reportToHtml, reportToJson,
  type AssessmentReport,
} from '../../core/assessment';
import { sqlDatabaseResource } from '../../core/azure/cloud';
import { credentialForCloud, SIGN_IN_METHODS, sqlAccessToken, type SignInMethod } from '../../core/azure/credentials';
import { limitsTable, parseTier } from '../../core/sku/miLimits';
import { parseServerAddress, SourceError, type EncryptMode, type SourceAuth } from '../../core/source';
import { cloudFrom, str } from '../azureArgs';
import { EXIT_FAILED, EXIT_OK, UsageError, type Command, type Io, type Values } from '../command';

export const PASSWORD_ENV = 'SQLMIG_SOURCE_PASSWORD';
export const TOKEN_ENV = 'SQLMIG_SOURCE_ACCESS_TOKEN';

/** Reads a line from the terminal without echoing it. */
async function promptSecret(question: string): Promise<string> {
  const muted = new Writable({ write: (_chunk, _enc, cb) => cb() });
  process.stderr.write(question);
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  try {
    return await new Promise<string>((res) => rl.question('', res));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

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

async function writeOutputs(report: AssessmentReport, values: Values, io: Io): Promise<void> {
  const written: string[] = [];
  if (typeof values.html === 'string') {
    const path = resolve(io.cwd, values.html);
    await writeFile(path, reportToHtml(report));
    written.push(path);
  }
  if (typeof values.csv === 'string') {
    const path = resolve(io.cwd, values.csv);
    await writeFile(path, reportToCsv(report));
    written.push(path);
  }
  if (typeof values.save === 'string') {
    const path = resolve(io.cwd, values.save);
    await writeFile(path, reportToJson(report));
    written.push(path);
  }
  if (values.json) io.out(reportToJson(report).trimEnd());
  else {
    io.out(formatReport(report));
    for (const w of written) io.out(`Wrote ${w}`);
  }
}

export const assess: Command = {
  name: ['assess'],
  summary: 'Assess a source SQL Server\'s databases for Azure SQL Managed Instance',
  usage: 'sqlmig assess --server HOST[,PORT] (--user USER | --auth entra-token [--cloud NAME]) [--database NAME]... [--tier TIER] [--offline] [--json | --html FILE | --csv FILE]',
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
  --server HOST[,PORT]          also HOST\\INSTANCE
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

Exit code: 0 when no assessed database is blocked, 1 when one is or the assessment failed,
2 on usage errors.

Examples:
  SQLMIG_SOURCE_PASSWORD=... sqlmig assess --server sql01,1433 --user migrator --html report.html
  sqlmig assess --server sql01 --user CONTOSO\\dba --auth windows --database Sales --tier bc --json
  sqlmig assess --server sql01.contoso.us --auth entra-token --cloud usgov --html report.html
  sqlmig assess --import report.json --csv findings.csv`,
  options: {
    server: { type: 'string' },
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
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
      }
      const report = reportFromJson(text, path);
      await writeOutputs(report, values, io);
      return report.summary.blocked > 0 ? EXIT_FAILED : EXIT_OK;
    }
    if (typeof values.server !== 'string') throw new UsageError('--server is required (HOST, HOST,PORT or HOST\\INSTANCE)');
    try {
      parseServerAddress(values.server);
    } catch (e) {
      throw new UsageError((e as Error).message);
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
    let report: AssessmentReport;
    try {
      report = await assessServer(
        {
          server: values.server,
          auth,
          encrypt,
          trustServerCertificate: Boolean(values['trust-server-certificate']),
          ...(trustedCertificates && { trustedCertificates }),
          ...(typeof values['host-name-in-certificate'] === 'string' && { hostNameInCertificate: values['host-name-in-certificate'] }),
          ...(connectTimeoutMs && { connectTimeoutMs }),
          ...(queryTimeoutMs && { queryTimeoutMs }),
        },
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
    await writeOutputs(report, values, io);
    return report.summary.blocked > 0 ? EXIT_FAILED : EXIT_OK;
  },
};
