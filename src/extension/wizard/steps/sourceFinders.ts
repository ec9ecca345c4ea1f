/**
 * Two ways to find the source server on the source step besides typing it: the MSSQL
 * extension's saved connections (listed without passwords; its saved password only through its
 * own API, when the user asks and approves there) and "Discover servers" on the hosts and ranges
 * the user types (SQL Server Browser and a TDS PRELOGIN, with progress, cancellable). A server
 * handed over from the MSSQL extension's Object Explorer fills the fields as a saved connection
 * does, whether the wizard was open or not. When the MSSQL extension is absent the step says so
 * and everything else works as before.
 */
import * as l10n from '@vscode/l10n';
import type { SavedConnection } from '../../services/types';
import { MAX_DISCOVERED, MAX_DISCOVERY_PROBLEMS, type Op, type WizardState } from '../../../protocol/wizard';
import type { HostStep, MessageOf, Session, StepContext } from '../context';
import { busyOp, IDLE } from '../state';
import { afterFieldsChanged, withSourcePatch } from './sourceFields';

type SavedView = NonNullable<WizardState['source']['saved']>;
type DiscoveryView = NonNullable<WizardState['source']['discovery']>;

export type FinderAction =
  | { type: 'source.savedListed'; available: boolean; reason?: string; connections: SavedConnection[] }
  | { type: 'source.offered'; connection: SavedConnection }
  | { type: 'source.discoveryReady'; available: boolean; reason?: string }
  | { type: 'source.discoveryOp'; op: Op; progress?: number }
  | { type: 'source.discovered'; servers: DiscoveryView['servers']; silent: number; problems: string[] }
  | { type: 'source.discoveryConfirm'; count: number };

/** What the handlers here report: their own results, and the password's (the source step's). */
type CtxAction = FinderAction | { type: 'source.passwordRecalled' } | { type: 'source.passwordEntered'; entered: boolean };
type Ctx = StepContext<CtxAction>;

const MAX_SAVED = 1000;
/** Per UDP question and TCP connection: a LAN answers in milliseconds, a VPN in a few hundred. */
const DISCOVERY_TIMEOUT_MS = 2000;

const NO_DISCOVERY: DiscoveryView = { available: true, targets: '', ports: '', op: IDLE, servers: [], silent: 0, problems: [] };

/** The discovery that runs, per wizard (a new one, Cancel or closing the wizard stops it). */
const running = new WeakMap<Session, AbortController>();

const discoveryOf = (s: WizardState): DiscoveryView => s.source.discovery ?? NO_DISCOVERY;

function withDiscovery(s: WizardState, patch: Partial<DiscoveryView>): WizardState {
  return { ...s, source: { ...s.source, discovery: { ...discoveryOf(s), ...patch } } };
}

/** The saved connection's fields fill the step's (never a password), and it becomes the chosen one. */
function withConnection(s: WizardState, c: SavedConnection, offered: boolean): WizardState {
  const next = withSourcePatch(s, c.connection);
  const saved: SavedView = next.source.saved ?? { available: true, connections: [] };
  const connections = saved.connections.some((x) => x.id === c.id) ? saved.connections : [...saved.connections, c];
  return { ...next, source: { ...next.source, saved: { ...saved, connections, chosen: c.id, ...(offered ? { offered: true } : { offered: undefined }) } } };
}

/** Lists the saved connections again (when the step opens, on Refresh, when the MSSQL extension's settings change). */
async function listSaved(ctx: Ctx): Promise<void> {
  const service = ctx.deps.services.savedConnections;
  if (!service) return;
  const a = service.availability;
  if (!a.available) {
    ctx.dispatch({ type: 'source.savedListed', available: false, reason: a.reason, connections: [] });
    return;
  }
  try {
    const connections = await service.list(ctx.signal);
    ctx.dispatch({ type: 'source.savedListed', available: true, connections: connections.slice(0, MAX_SAVED) });
  } catch (e) {
    if (ctx.signal.aborted) return;
    ctx.deps.log.warn(`wizard: the MSSQL extension's saved connections could not be read: ${(e as Error).message}`);
    ctx.dispatch({ type: 'source.savedListed', available: false, reason: l10n.t('The MSSQL extension\'s saved connections could not be read (see the log).'), connections: [] });
  }
}

/** Space, comma or line separated. */
const items = (text: string) => text.split(/[\s,;]+/).filter(Boolean);

function portsOf(text: string): number[] | string {
  const out: number[] = [];
  for (const p of items(text)) {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 65535) return l10n.t('{0} is not a TCP port (1 to 65535).', p);
    out.push(n);
  }
  return out;
}

function foundText(servers: number, hosts: number, silent: number, seconds: string): string {
  const found = servers === 1 ? l10n.t('Found 1 SQL Server instance in {0} s.', seconds) : l10n.t('Found {0} SQL Server instances in {1} s.', servers, seconds);
  if (!silent) return found;
  return `${found} ${silent === 1 ? l10n.t('1 of {0} hosts did not answer.', hosts) : l10n.t('{0} of {1} hosts did not answer.', silent, hosts)}`;
}

async function discover(ctx: Ctx, m: MessageOf<'source.discover'>): Promise<void> {
  const show = (op: Op, progress?: number) => ctx.dispatch({ type: 'source.discoveryOp', op, ...(progress !== undefined && { progress }) });
  const service = ctx.deps.services.discovery;
  if (!service?.availability.available) {
    show({ status: 'error', message: service && !service.availability.available ? service.availability.reason : l10n.t('Discovering servers is not available here.') });
    return;
  }
  const targets = items(m.targets);
  if (!targets.length) {
    show({ status: 'error', message: l10n.t('Enter the host names, addresses or ranges to look on (for example sql01 10.0.4.0/24).') });
    return;
  }
  const ports = portsOf(m.ports ?? '');
  if (typeof ports === 'string') {
    show({ status: 'error', message: ports });
    return;
  }
  running.get(ctx.session)?.abort();
  const abort = new AbortController();
  running.set(ctx.session, abort);
  const stop = () => abort.abort();
  ctx.signal.addEventListener('abort', stop, { once: true });
  const mine = () => running.get(ctx.session) === abort;
  show(busyOp(l10n.t('Looking for SQL Servers...')), 0);
  try {
    const options = { timeoutMs: DISCOVERY_TIMEOUT_MS, confirmed: m.confirmed === true, ...(ports.length && { ports }), ...(m.browserPort && { ssrpPort: m.browserPort }) };
    const r = await service.discover(targets, options, abort.signal, (message, fraction) => {
      if (mine()) show(busyOp(l10n.t('Looking for SQL Servers: {0}', message)), fraction);
    });
    if (!mine()) return;
    ctx.dispatch({ type: 'source.discovered', servers: r.servers.slice(0, MAX_DISCOVERED), silent: r.silent, problems: r.problems.slice(0, MAX_DISCOVERY_PROBLEMS) });
    show({ status: 'done', message: foundText(r.servers.length, r.hosts, r.silent, (r.durationMs / 1000).toFixed(1)) });
  } catch (e) {
    if (!mine() || ctx.signal.aborted) return;
    const cancelled: Op = { status: 'done', message: l10n.t('Discovery was cancelled.') };
    if (abort.signal.aborted) return show(cancelled);
    // More hosts than are probed without asking (nothing was sent): the user confirms, or names fewer.
    const tooMany = e as { name?: string; count?: unknown; hard?: unknown };
    if (tooMany.name === 'TooManyTargetsError' && !tooMany.hard && typeof tooMany.count === 'number') {
      ctx.dispatch({ type: 'source.discoveryConfirm', count: tooMany.count });
      return;
    }
    ctx.fail(e, l10n.t('Looking for SQL Servers'), show, cancelled);
  } finally {
    ctx.signal.removeEventListener('abort', stop);
    if (mine()) running.delete(ctx.session);
  }
}

/** Asks the MSSQL extension for the chosen connection's saved password (it asks the user whether to share it). */
async function savedPassword(ctx: Ctx): Promise<void> {
  const show = (op: Op) => ctx.dispatch({ type: 'op', slice: 'source', op });
  const id = ctx.state.source.saved?.chosen;
  const service = ctx.deps.services.savedConnections;
  if (!id || !service) {
    show({ status: 'error', message: l10n.t('Choose a saved connection first.') });
    return;
  }
  show(busyOp(l10n.t('Asking the MSSQL extension for the saved password (it may ask you to allow this)...')));
  try {
    const password = await service.password(id, ctx.signal);
    // The user chose another connection meanwhile: this password is not for it.
    if (ctx.state.source.saved?.chosen !== id) return show(IDLE);
    if (!password) {
      show({ status: 'done', message: l10n.t('The MSSQL extension has no saved password for this connection: type it.') });
      return;
    }
    ctx.deps.redactor.add(password);
    ctx.session.secrets.sqlPassword = password;
    ctx.dispatch({ type: 'source.passwordEntered', entered: true });
    show({ status: 'done', message: l10n.t('The MSSQL extension handed over the saved password; it is kept in memory only.') });
  } catch (e) {
    ctx.fail(e, l10n.t('Asking the MSSQL extension for the saved password'), show);
  }
}

/**
 * Wires the MSSQL extension's hand-over to an open wizard: a server offered before it opened (the
 * Object Explorer command opens it) or while it is open fills the source fields. Returns the
 * unsubscribe. The list itself is read when the source step opens.
 */
export function attachSavedConnections(ctx: Ctx): () => void {
  const service = ctx.deps.services.savedConnections;
  if (!service) return () => undefined;
  const apply = (c: SavedConnection) => {
    service.takeOffered();
    ctx.dispatch({ type: 'source.offered', connection: c });
    void afterFieldsChanged(ctx);
  };
  const offered = service.takeOffered();
  if (offered) apply(offered);
  const offs = [
    service.onDidOffer(apply),
    service.onDidChange(() => {
      if (ctx.state.source.saved) void listSaved(ctx);
    }),
  ];
  return () => offs.forEach((off) => off());
}

export const sourceFinders = {
  /** On entering the source step: the saved connections, and whether discovery can run here. */
  async enter(ctx: Ctx): Promise<void> {
    const d = ctx.state.source.discovery;
    const service = ctx.deps.services.discovery;
    if (service) {
      const a = service.availability;
      if (!d || d.available !== a.available) ctx.dispatch({ type: 'source.discoveryReady', available: a.available, ...(!a.available && { reason: a.reason }) });
    }
    // A discovery saved as running (the wizard was closed meanwhile) is not running now.
    if (d?.op.status === 'busy' && !running.has(ctx.session)) ctx.dispatch({ type: 'source.discoveryOp', op: IDLE });
    await listSaved(ctx);
  },
  handlers: {
    'source.useSaved': (ctx) => afterFieldsChanged(ctx),
    'source.savedPassword': (ctx) => savedPassword(ctx),
    'source.refreshSaved': (ctx) => listSaved(ctx),
    'source.discover': (ctx, m) => discover(ctx, m),
    'source.cancelDiscovery': (ctx) => running.get(ctx.session)?.abort(),
  },
  reducers: {
    'source.useSaved': (s, a) => {
      const c = s.source.saved?.connections.find((x) => x.id === a.id);
      return c ? withConnection(s, c, false) : s;
    },
    'source.offered': (s, a) => withConnection(s, a.connection, true),
    'source.savedListed': (s, a) => {
      const before = s.source.saved;
      // The chosen one stays chosen while it is listed; one handed over from Object Explorer stays listed.
      const kept = before?.offered && before.chosen ? before.connections.find((c) => c.id === before.chosen) : undefined;
      const listed = kept && !a.connections.some((c) => c.id === kept.id) ? [...a.connections, kept] : a.connections;
      const chosen = before?.chosen && listed.some((c) => c.id === before.chosen) ? before.chosen : undefined;
      const saved: SavedView = { available: a.available, connections: listed, ...(a.reason && { reason: a.reason }), ...(chosen && { chosen }), ...(chosen && before?.offered && { offered: true }) };
      return { ...s, source: { ...s.source, saved } };
    },
    'source.discoveryReady': (s, a) => withDiscovery(s, { available: a.available, reason: a.reason }),
    'source.discover': (s, a) => withDiscovery(s, { targets: a.targets, ports: a.ports ?? discoveryOf(s).ports, confirm: undefined }),
    'source.discoveryOp': (s, a) => {
      const { progress: _old, ...d } = discoveryOf(s);
      return { ...s, source: { ...s.source, discovery: { ...d, op: a.op, ...(a.progress !== undefined && { progress: a.progress }) } } };
    },
    'source.discovered': (s, a) => withDiscovery(s, { servers: a.servers, silent: a.silent, problems: a.problems, confirm: undefined }),
    'source.discoveryConfirm': (s, a) => {
      const { progress: _old, ...d } = discoveryOf(s);
      return { ...s, source: { ...s.source, discovery: { ...d, op: IDLE, confirm: a.count } } };
    },
  },
} satisfies Pick<HostStep<CtxAction>, 'handlers' | 'reducers'> & { enter(ctx: Ctx): Promise<void> };
