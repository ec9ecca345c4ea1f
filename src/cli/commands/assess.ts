/** `sqlmig assess`: assess a source SQL Server for Azure SQL Managed Instance. */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import {
  assessServer, AssessmentInputError, formatReport, reportFromJson, reportToCsv, reportToHtml, reportToJson,
  type AssessmentReport,
} from '../../core/assessment';
import { limitsTable, parseTier } from '../../core/sku/miLimits';
import { parseServerAddress, SourceError, type EncryptMode, type SourceAuth } from '../../core/source';
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

async function credentials(values: Values, io: Io): Promise<SourceAuth> {
  const kind = typeof values.auth === 'string' ? values.auth : 'sql';
  if (kind === 'entra-token') {
    const token = io.env[TOKEN_ENV];
    if (!token) throw new UsageError(`--auth entra-token reads the access token from the ${TOKEN_ENV} environment variable, which is empty`);
    return { kind: 'entra-token', token };
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
  usage: 'sqlmig assess --server HOST[,PORT] --user USER [--database NAME]... [--tier TIER] [--offline] [--json | --html FILE | --csv FILE]',
  help: `Connects to the source SQL Server, reads its inventory and checks every user database
(or those named with --database) against the Managed Instance rules and the prerequisites
of an online migration. Each database comes out READY, ISSUES (migrates, but something
needs work) or BLOCKED (cannot be migrated as it is), with every finding, the objects it
concerns and what to do.

The password comes from the ${PASSWORD_ENV} environment variable, or a prompt when
run in a terminal; it is never an option. A Microsoft Entra access token comes from
${TOKEN_ENV}.

Connection:
  --server HOST[,PORT]          also HOST\\INSTANCE
  --user USER                   a SQL login, or DOMAIN\\user with --auth windows
  --auth sql|windows|entra-token
                                SQL authentication (default), Windows (NTLM), or an access token
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
  sqlmig assess --import report.json --csv findings.csv`,
  options: {
    server: { type: 'string' },
    user: { type: 'string' },
    auth: { type: 'string' },
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
