/**
 * Step 2, the source SQL Server: connect, select the databases, assess them. The password stays
 * in the session (or SecretStorage when the user asks); the state only says one was entered.
 */
import * as l10n from '@vscode/l10n';
import type { AssessmentSummary, SourceConnectionInfo } from '../../services/types';
import type { MigrationMode } from '../../../core/migrationMode';
import { issue, reducerOnly, type HostStep, type Issue, type StepContext } from '../context';
import { busyOp, NO_ASSESSMENT, selectionOf, unavailable, withSelection } from '../state';
import type { Op, WizardState } from '../../../protocol/wizard';
import { cloudFor } from './account';
import { sourceFinders, type FinderAction } from './sourceFinders';
import { recallPassword, sourcePasswordKey, withSourcePatch } from './sourceFields';

export { recallPassword, sourcePasswordKey };

export type SourceAction =
  | { type: 'source.passwordEntered'; entered: boolean }
  /** A remembered password was found for this server and login. */
  | { type: 'source.passwordRecalled' }
  | { type: 'source.connected'; server: NonNullable<WizardState['source']['connected']>; databases: WizardState['source']['databases'] }
  | { type: 'source.assessmentOp'; op: Op; progress?: number }
  | { type: 'source.assessed'; databases: string[]; mode: MigrationMode; results: AssessmentSummary[]; instanceFindings: string[]; instanceRules?: string[] }
  | FinderAction;

type Ctx = StepContext<SourceAction>;

function connection(s: WizardState): SourceConnectionInfo {
  const { server, authentication, userName, encrypt, trustServerCertificate } = s.source;
  return { server, authentication, userName, encrypt, trustServerCertificate };
}

/** The password, or for Microsoft Entra a fresh token (never kept). */
async function sourceSecret(ctx: Ctx, signal: AbortSignal): Promise<string | undefined> {
  if (ctx.state.source.authentication !== 'EntraToken') return ctx.session.secrets.sqlPassword;
  if (!ctx.deps.entraToken) throw new Error(l10n.t('Microsoft Entra sign-in is not available here; use a SQL or Windows login.'));
  // The chosen cloud's account and SQL audience: a server in US Government or China refuses Azure public's.
  const cloud = ctx.session.account?.cloud ?? cloudFor(ctx.deps, ctx.session, ctx.state.account.cloudName);
  const token = await ctx.deps.entraToken(signal, cloud);
  ctx.deps.redactor.add(token);
  return token;
}

/**
 * What an assessment run covers: every database on the server, or the selected ones and every
 * one assessed before (so "Assess Again" also re-checks the blocked ones, which are not selected).
 */
export function assessmentScope(s: WizardState, scope: 'selected' | 'all' = 'selected'): string[] {
  if (scope === 'all') return s.source.databases.map((d) => d.name);
  const wanted = new Set([...s.source.selected, ...s.source.assessment.databases]);
  return s.source.databases.filter((d) => wanted.has(d.name)).map((d) => d.name);
}

/**
 * The least time between two progress updates of an assessment. The core reports each probe of
 * each database (thousands for a large server); every update shown is a message the editor
 * passes on and the webview renders, and the editor repaints its whole window for it (10-60 ms
 * of its main thread each on a 2-core machine: bench/editor-scale --trace), so twice a second.
 */
export const ASSESSMENT_PROGRESS_INTERVAL_MS = 500;

/**
 * Passes on the latest of the values pushed, at most once per `intervalMs`: the first at once,
 * the last of a burst when its interval ends. `stop` drops what is still waiting.
 */
function latestEvery<T>(intervalMs: number, pass: (value: T) => void): { push(value: T): void; stop(): void } {
  let last = -Infinity;
  let waiting: { value: T } | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const fire = () => {
    timer = undefined;
    if (!waiting) return;
    const { value } = waiting;
    waiting = undefined;
    last = Date.now();
    pass(value);
  };
  return {
    push(value) {
      waiting = { value };
      if (timer) return;
      const wait = last + intervalMs - Date.now();
      if (wait <= 0) fire();
      else timer = setTimeout(fire, wait);
    },
    stop() {
      clearTimeout(timer);
      timer = undefined;
      waiting = undefined;
    },
  };
}

/** Assesses the databases of `scope`, with progress; a new run (or Cancel) stops the one running. */
async function assess(ctx: Ctx, scope: 'selected' | 'all' = 'selected'): Promise<void> {
  const { session } = ctx;
  session.assessing?.abort();
  const abort = new AbortController();
  session.assessing = abort;
  const stop = () => abort.abort();
  ctx.signal.addEventListener('abort', stop, { once: true });
  const databases = assessmentScope(ctx.state, scope);
  const mode = ctx.state.backups.mode;
  const started = Date.now();
  const show = (op: Op, progress?: number) => ctx.dispatch({ type: 'source.assessmentOp', op, ...(progress !== undefined && { progress }) });
  show(busyOp(l10n.t('Assessing {0} databases...', databases.length)), 0);
  const progress = latestEvery<{ message: string; fraction: number }>(ASSESSMENT_PROGRESS_INTERVAL_MS, ({ message, fraction }) => {
    if (session.assessing === abort) show(busyOp(message), fraction);
  });
  try {
    const result = await ctx.deps.services.source.assess(connection(ctx.state), await sourceSecret(ctx, abort.signal), databases, mode, abort.signal, (message, fraction) => progress.push({ message, fraction }));
    progress.stop();
    if (session.assessing !== abort) return;
    session.assessment = result;
    ctx.dispatch({ type: 'source.assessed', databases, mode, results: result.summaries, instanceFindings: result.instanceFindings, ...(result.instanceRules && { instanceRules: result.instanceRules }) });
    const blocked = result.summaries.filter((r) => r.readiness === 'blocked').length;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    show({
      status: 'done',
      message: databases.length === 1
        ? l10n.t('Assessed 1 database in {0} s: {1} blocked.', seconds, blocked)
        : l10n.t('Assessed {0} databases in {1} s: {2} blocked.', databases.length, seconds, blocked),
    });
  } catch (e) {
    // A newer run owns the op now (or the wizard is closed).
    if (session.assessing !== abort || ctx.signal.aborted) return;
    const cancelled: Op = { status: 'done', message: l10n.t('The assessment was cancelled.') };
    // Cancel aborted it; the source service reports that as kind 'cancelled'.
    if (abort.signal.aborted || (e as { kind?: string }).kind === 'cancelled') show(cancelled);
    else ctx.fail(e, l10n.t('Assessing the databases'), show, cancelled);
  } finally {
    progress.stop();
    ctx.signal.removeEventListener('abort', stop);
    if (session.assessing === abort) session.assessing = undefined;
  }
}

/** Names for a sentence: all of a few, or the first ones and how many in all. */
export function someNames(names: readonly string[], shown = 5): string {
  return names.length <= shown ? names.join(', ') : l10n.t('{0} and {1} more', names.slice(0, shown).join(', '), names.length - shown);
}

function check(s: WizardState): Issue[] {
  const out = unavailable(s, 'source');
  if (out.length) return out;
  const src = s.source;
  if (src.server.trim() === '') out.push(issue('server', l10n.t('Enter the source SQL Server.')));
  if (src.authentication !== 'EntraToken') {
    if (src.userName.trim() === '') out.push(issue('login', src.authentication === 'SqlAuthentication' ? l10n.t('Enter the SQL login.') : l10n.t('Enter the Windows user as DOMAIN\\user.')));
    if (!src.passwordEntered) out.push(issue('password', l10n.t('Enter the password (passwords are never saved, so enter it again after reopening the wizard).')));
  } else if (src.connected) {
    out.push(issue('entra', l10n.t('The migration service logs in with a SQL or Windows login: switch to one of them to continue (Microsoft Entra is for the assessment only).')));
  }
  if (!src.connected) out.push(issue('connect', l10n.t('Connect to list the databases.')));
  else if (src.selected.length === 0) out.push(issue('select', l10n.t('Select at least one database.')));
  else {
    const assessed = new Set(src.assessment.databases);
    const missing = src.selected.filter((n) => !assessed.has(n));
    if (src.assessment.op.status === 'busy') out.push(issue('assessing', l10n.t('Wait for the assessment to finish.')));
    else if (missing.length) out.push({ kind: 'assess', text: l10n.t('Run the assessment for {0}.', someNames(missing)), ...(missing.length === 1 && { database: missing[0] }) });
  }
  return out;
}

export const sourceStep = {
  check,
  enter: sourceFinders.enter,
  handlers: {
    ...sourceFinders.handlers,
    'source.update': async (ctx, m) => {
      const s = ctx.state.source;
      // The reducer forgot the password when the server or login changed: so does the session.
      if (!s.passwordEntered) delete ctx.session.secrets.sqlPassword;
      if (s.server && s.userName && m.patch.rememberPassword !== undefined) {
        const key = sourcePasswordKey(s.server, s.userName);
        if (!m.patch.rememberPassword) await ctx.deps.secretStore.delete(key);
        else if (ctx.session.secrets.sqlPassword) await ctx.deps.secretStore.store(key, ctx.session.secrets.sqlPassword);
      }
      if (!s.passwordEntered) await recallPassword(ctx);
    },
    'source.password': async (ctx, m) => {
      // First, so that nothing logged or shown from now on can carry it.
      ctx.deps.redactor.add(m.value);
      ctx.session.secrets.sqlPassword = m.value || undefined;
      ctx.dispatch({ type: 'source.passwordEntered', entered: m.value !== '' });
      const s = ctx.state.source;
      if (s.rememberPassword && s.server && s.userName) {
        const key = sourcePasswordKey(s.server, s.userName);
        await (m.value ? ctx.deps.secretStore.store(key, m.value) : ctx.deps.secretStore.delete(key));
      }
    },
    'source.connect': (ctx) => {
      // The databases listed anew: an assessment of the old list means nothing.
      ctx.session.assessing?.abort();
      ctx.session.assessment = undefined;
      return ctx.run('source', l10n.t('Connecting to {0}', ctx.state.source.server), async () => {
        const result = await ctx.deps.services.source.connect(connection(ctx.state), await sourceSecret(ctx, ctx.signal), ctx.signal);
        ctx.dispatch({ type: 'source.connected', server: result.server, databases: result.databases });
      }, l10n.t('Connecting...'));
    },
    'source.select': reducerOnly,
    'source.toggle': reducerOnly,
    'source.selectAll': reducerOnly,
    'source.assess': (ctx, m) => assess(ctx, m.scope),
    'source.cancelAssessment': (ctx) => ctx.session.assessing?.abort(),
    'source.openReport': (ctx) => {
      const report = ctx.session.assessment;
      if (report) ctx.deps.host.openReport(report.render('html'), l10n.t('Assessment: {0}', ctx.state.source.connected?.serverName ?? ctx.state.source.server));
    },
    'source.saveReport': (ctx, m) =>
      ctx.run('source', l10n.t('Saving the assessment report'), async () => {
        const report = ctx.session.assessment;
        if (!report) throw new Error(l10n.t('Run the assessment again: its report is kept only while the wizard is open.'));
        const name = `assessment-${(ctx.state.source.connected?.serverName ?? 'server').replace(/[^\w.-]+/g, '_')}.${m.format}`;
        const path = await ctx.deps.host.saveReport(report.render(m.format), m.format, name);
        if (path) ctx.deps.host.info(l10n.t('The assessment report was saved to {0}.', path));
      }),
  },
  reducers: {
    ...sourceFinders.reducers,
    // Another server or login: the list of databases (and the password) belong to the old one.
    'source.update': (s, a) => withSourcePatch(s, a.patch),
    'source.passwordEntered': (s, a) => ({ ...s, source: { ...s.source, passwordEntered: a.entered } }),
    'source.passwordRecalled': (s) => ({ ...s, source: { ...s.source, rememberPassword: true, passwordEntered: true } }),
    'source.connected': (s, a) => {
      const names = new Set(a.databases.map((d) => d.name));
      const selected = s.source.selected.filter((n) => names.has(n));
      const { selectionNote: _note, ...source } = s.source;
      return { ...s, source: { ...source, connected: a.server, databases: a.databases, selected, assessment: NO_ASSESSMENT } };
    },
    'source.assessmentOp': (s, a) => {
      const { progress: _old, ...rest } = s.source.assessment;
      return { ...s, source: { ...s.source, assessment: { ...rest, op: a.op, ...(a.progress !== undefined && { progress: a.progress }) } } };
    },
    'source.assessed': (s, a) => {
      // This run's verdicts replace those of the databases it assessed; every other verdict stays.
      const fresh = new Map(a.results.map((r) => [r.database, { ...r, mode: a.mode }]));
      const kept = s.source.assessment.results.filter((r) => !fresh.has(r.database));
      const byName = new Map([...kept, ...fresh.values()].map((r) => [r.database, r]));
      const order = s.source.databases.map((d) => d.name);
      const results = order.flatMap((n) => (byName.has(n) ? [byName.get(n)!] : []));
      const assessed = new Set([...s.source.assessment.databases, ...a.databases]);
      const databases = order.filter((n) => byName.has(n) || assessed.has(n));
      const assessment = { ...s.source.assessment, databases, mode: a.mode, results, instanceFindings: a.instanceFindings, instanceRules: a.instanceRules ?? [], reportAvailable: true };
      // Blocked databases cannot be migrated as they are: they leave the selection.
      const next = { ...s, source: { ...s.source, assessment } };
      const { selected, note } = selectionOf(next, s.source.selected);
      return withSelection(next, selected, note);
    },
    'source.select': (s, a) => {
      const { selected, note } = selectionOf(s, a.names);
      return withSelection(s, selected, note);
    },
    'source.toggle': (s, a) => {
      const names = new Set(s.source.selected);
      for (const n of a.names) {
        if (a.selected) names.add(n);
        else names.delete(n);
      }
      const { selected, note } = selectionOf(s, names);
      return withSelection(s, selected, note);
    },
    'source.selectAll': (s, a) => {
      if (a.which === 'none') return withSelection(s, []);
      const ready = new Set(s.source.assessment.results.filter((r) => r.readiness === 'ready').map((r) => r.database));
      const names = s.source.databases.map((d) => d.name).filter((n) => a.which === 'all' || ready.has(n));
      const { selected, note } = selectionOf(s, names);
      return withSelection(s, selected, note);
    },
  },
} satisfies HostStep<SourceAction>;
