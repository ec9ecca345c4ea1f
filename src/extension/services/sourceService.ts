/**
 * The source SQL Server on the core: connect (SQL login, Windows/NTLM or a Microsoft Entra
 * token; TLS mandatory, optional or strict), list the user databases, and run the Managed
 * Instance assessment with progress and cancellation. Failures keep the core's SourceError
 * messages, which say what to do for each class (unreachable, login failed, TLS, permission).
 * No `vscode` here: the Entra token comes from the caller.
 */
import * as l10n from '@vscode/l10n';
import type { SourceConnectionOptions } from '../../core/source/connection';
import { ActionableError } from '../errors';
import { loadCore } from './loadCore';
import type { Assessment, AssessmentSummary, SourceConnectionInfo, SourceService } from './types';

/** How long to wait for the server before saying it is unreachable. */
const CONNECT_TIMEOUT_MS = 15_000;

export function sourceOptions(c: SourceConnectionInfo, secret: string | undefined): SourceConnectionOptions {
  const base = { server: c.server, encrypt: c.encrypt, trustServerCertificate: c.trustServerCertificate, connectTimeoutMs: CONNECT_TIMEOUT_MS, applicationName: 'Azure SQL Migration for VS Code' };
  if (c.authentication === 'EntraToken') {
    if (!secret) throw new ActionableError(l10n.t('No Microsoft Entra token for the source SQL Server.'), l10n.t('Sign in with your Microsoft account when VS Code asks, or use a SQL or Windows login.'));
    return { ...base, auth: { kind: 'entra-token', token: secret } };
  }
  if (!secret) throw new ActionableError(l10n.t('Enter the password of {0}.', c.userName || l10n.t('the login')), l10n.t('Passwords are never saved with the wizard: enter it again after reopening it.'));
  if (c.authentication === 'WindowsAuthentication') {
    if (!/^[^\\]+\\[^\\]+$/.test(c.userName)) throw new ActionableError(l10n.t('Windows authentication wants the user as DOMAIN\\user, not "{0}".', c.userName), l10n.t('Write the user as DOMAIN\\user.'));
    return { ...base, auth: { kind: 'windows', user: c.userName, password: secret } };
  }
  return { ...base, auth: { kind: 'sql', user: c.userName, password: secret } };
}

export const sourceService: SourceService = {
  availability: { available: true },

  async connect(c, secret, signal) {
    const core = await loadCore();
    const conn = await core.connectSource(sourceOptions(c, secret), { signal });
    try {
      const inv = await core.readInventory(conn, { signal });
      const p = inv.properties;
      return {
        server: { serverName: p.serverName, version: `${p.productName} ${p.productVersion}`, edition: p.edition },
        databases: inv.databases.map((d) => ({
          name: d.name,
          sizeMb: Math.round((d.dataSizeMb + d.logSizeMb) * 10) / 10,
          recoveryModel: d.recoveryModel,
          state: d.state,
        })),
      };
    } finally {
      await conn.close();
    }
  },

  async assess(c, secret, databases, mode, signal, onProgress): Promise<Assessment> {
    const core = await loadCore();
    const report = await core.assessServer(sourceOptions(c, secret), {
      databases,
      mode,
      signal,
      onProgress: (p) => onProgress(p.message, p.total ? Math.min(1, p.done / p.total) : 0),
    });
    const line = (f: { title: string; message: string }) => (f.message && f.message !== f.title ? `${f.title}: ${f.message}` : f.title);
    const instanceBlockers = report.instanceFindings.filter((f) => f.category === 'blocker').map(line);
    const summaries: AssessmentSummary[] = report.databases.map((d) => ({
      database: d.name,
      readiness: d.readiness,
      blockers: [...instanceBlockers, ...d.findings.filter((f) => f.category === 'blocker').map(line)],
      issues: d.findings.filter((f) => f.category === 'issue').map(line),
      warnings: d.findings.filter((f) => f.category === 'warning').map(line),
      rules: [...new Set(d.findings.map((f) => f.ruleId))],
    }));
    return {
      summaries,
      instanceFindings: report.instanceFindings.map(line),
      instanceRules: [...new Set(report.instanceFindings.map((f) => f.ruleId))],
      render: (format) => (format === 'json' ? core.reportToJson(report) : format === 'html' ? core.reportToHtml(report) : core.reportToCsv(report)),
    };
  },
};
