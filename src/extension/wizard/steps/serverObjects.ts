/**
 * Step 4, Server objects (optional): what moves besides the databases, and a login on the
 * target instance. The assessment's findings preselect the choices once: the TDE certificates
 * when a selected database is encrypted, the logins when it found Windows logins, the Agent
 * jobs when it found job steps. At Start the certificates go up first (the TDE check then
 * passes), then the migrations start, then the logins and server objects are created (the
 * summary step runs it: runServerObjects). The instance's password is held by the host only,
 * like the source's.
 */
import * as l10n from '@vscode/l10n';
import { addMapping, emptyMapping } from '../../../core/serverObjects/logins/entraNames';
import { suggestServerObjects, type ServerObjectsSuggestion } from '../../../core/serverObjects/suggested';
import type { ServerObjectsOutcome, ServerPairInfo } from '../../services/types';
import { issue, requireAccount, type HostStep, type Issue, type StepContext } from '../context';
import { unavailable } from '../state';
import type { WizardState } from '../../../protocol/wizard';

export type ServerObjectsAction =
  | { type: 'serverObjects.suggest' }
  | { type: 'serverObjects.passwordEntered'; entered: boolean }
  | { type: 'serverObjects.logins'; logins: NonNullable<WizardState['serverObjects']['sourceLogins']> }
  | { type: 'serverObjects.results'; results: WizardState['serverObjects']['results'] };

type Ctx = StepContext<ServerObjectsAction>;

export const NO_SERVER_OBJECTS: WizardState['serverObjects'] = {
  tde: false, logins: false, objects: false, suggested: false, user: '', passwordEntered: false, loginNames: [], mapping: '', op: { status: 'idle' }, results: [],
};

const WINDOWS = new Set(['windows-user', 'windows-group']);

/** Anything chosen besides the databases. */
export const anyChosen = (s: WizardState) => s.serverObjects.tde || s.serverObjects.logins || s.serverObjects.objects;

/** What the assessment found that the step acts on (the core's reading of its rule ids): TDE on a selected database, Windows logins, Agent job steps. */
export function suggestions(s: WizardState): ServerObjectsSuggestion {
  const selected = new Set(s.source.selected);
  const a = s.source.assessment;
  return suggestServerObjects(a.results.filter((r) => selected.has(r.database)).flatMap((r) => r.rules ?? []), a.instanceRules ?? []);
}

/** The mapping entries as typed (commas, semicolons or spaces between them). */
export const mappingEntries = (text: string): string[] => text.split(/[\s,;]+/).filter(Boolean);

function check(s: WizardState): Issue[] {
  const o = s.serverObjects;
  if (!anyChosen(s)) return [];
  const out: Issue[] = unavailable(s, 'serverObjects');
  if (out.length) return out;
  if (!o.user.trim()) out.push(issue('soUser', l10n.t('Enter a login on the target instance (e.g. its admin), or choose nothing here.')));
  else if (!o.passwordEntered) out.push(issue('soPassword', l10n.t('Enter the password of {0} on the target instance.', o.user)));
  if (o.logins) {
    if (!o.sourceLogins) out.push(issue('soList', l10n.t('List the source\'s logins to choose from.')));
    else if (!o.loginNames.length) out.push(issue('soLogins', l10n.t('Choose the logins to create, or leave out the logins.')));
    else {
      const chosen = new Set(o.loginNames);
      const windows = o.sourceLogins.some((l) => chosen.has(l.name) && WINDOWS.has(l.kind));
      if (windows && !o.mapping.trim()) out.push(issue('soMapping', l10n.t('Windows logins are chosen: map their domains to Microsoft Entra domains, e.g. CONTOSO=contoso.com.')));
      const m = emptyMapping();
      for (const e of mappingEntries(o.mapping)) {
        try {
          addMapping(m, e);
        } catch (err) {
          out.push(issue('soMapping', l10n.t('"{0}" is not a domain mapping ({1}): write DOMAIN=dns.name.', e, (err as Error).message)));
        }
      }
    }
  }
  return out;
}

async function listLogins(ctx: Ctx): Promise<void> {
  const service = ctx.deps.services.serverObjects;
  if (!service?.availability.available) return;
  const src = ctx.state.source;
  await ctx.run('serverObjects', l10n.t('Listing the source\'s logins'), async () => {
    const logins = await service.listLogins({ server: src.server, authentication: src.authentication, userName: src.userName, encrypt: src.encrypt, trustServerCertificate: src.trustServerCertificate }, ctx.session.secrets.sqlPassword, ctx.signal);
    ctx.dispatch({ type: 'serverObjects.logins', logins });
  }, l10n.t('Listing the source\'s logins...'));
}

export const serverObjectsStep = {
  check,
  async enter(ctx) {
    ctx.dispatch({ type: 'serverObjects.suggest' });
    if (ctx.state.serverObjects.logins && !ctx.state.serverObjects.sourceLogins) await listLogins(ctx);
  },
  handlers: {
    'serverObjects.update': async (ctx, m) => {
      if (m.patch.logins && !ctx.state.serverObjects.sourceLogins) await listLogins(ctx);
    },
    'serverObjects.password': (ctx, m) => {
      // First, so that nothing logged or shown from now on can carry it.
      ctx.deps.redactor.add(m.value);
      ctx.session.secrets.targetPassword = m.value || undefined;
      ctx.dispatch({ type: 'serverObjects.passwordEntered', entered: m.value !== '' });
    },
    'serverObjects.selectLogins': () => undefined,
    'serverObjects.listLogins': (ctx) => listLogins(ctx),
    // On to the backups step, which loads what it lists on entering.
    'serverObjects.skip': (ctx, _m, before) => (ctx.state.step !== before.step ? ctx.enter(ctx.state.step) : undefined),
  },
  reducers: {
    'serverObjects.suggest': (s) => {
      if (s.serverObjects.suggested) return s;
      return { ...s, serverObjects: { ...s.serverObjects, ...suggestions(s), suggested: true } };
    },
    'serverObjects.update': (s, a) => ({ ...s, serverObjects: { ...s.serverObjects, ...a.patch, suggested: true } }),
    'serverObjects.passwordEntered': (s, a) => (s.serverObjects.passwordEntered === a.entered ? s : { ...s, serverObjects: { ...s.serverObjects, passwordEntered: a.entered } }),
    'serverObjects.logins': (s, a) => {
      // The first listing selects every login that can move; a listing again keeps the choice.
      const movable = a.logins.filter((l) => !l.excluded).map((l) => l.name);
      const loginNames = s.serverObjects.sourceLogins ? s.serverObjects.loginNames.filter((n) => movable.includes(n)) : movable;
      return { ...s, serverObjects: { ...s.serverObjects, sourceLogins: a.logins, loginNames } };
    },
    'serverObjects.selectLogins': (s, a) => {
      const movable = new Set((s.serverObjects.sourceLogins ?? []).filter((l) => !l.excluded).map((l) => l.name));
      return { ...s, serverObjects: { ...s.serverObjects, loginNames: [...new Set(a.names)].filter((n) => movable.has(n)) } };
    },
    'serverObjects.skip': (s) => {
      if (s.step !== 'serverObjects') return s;
      return { ...s, serverObjects: { ...s.serverObjects, tde: false, logins: false, objects: false, suggested: true }, step: 'backups', reached: s.reached === 'serverObjects' ? 'backups' : s.reached };
    },
    'serverObjects.results': (s, a) => ({ ...s, serverObjects: { ...s.serverObjects, results: a.results } }),
  },
} satisfies HostStep<ServerObjectsAction>;

/** The instance login the step gives, for the TDE check at Start (the request carries the user, the secrets its password). */
export function targetLoginOf(s: WizardState): { user: string } | undefined {
  const user = s.serverObjects.user.trim();
  return user && s.serverObjects.passwordEntered ? { user } : undefined;
}

/** Every chosen target instance, with the source databases going to it. */
function instances(s: WizardState): { id: string; databases: string[] }[] {
  return s.target.instanceIds.map((id) => ({ id, databases: s.backups.databases.filter((d) => (d.instanceId ?? s.target.instanceIds[0]) === id).map((d) => d.source) }));
}

/**
 * One phase of the step at Start, on every chosen instance: `before` (the TDE certificates,
 * before the migrations start) or `after` (logins, then server objects). Each item's result
 * joins the step's results and the log; a part that fails as a whole is one failed item.
 */
export async function runServerObjects(ctx: Ctx, phase: 'before' | 'after', progress: (message: string) => void): Promise<void> {
  const s = ctx.state;
  const service = ctx.deps.services.serverObjects;
  if (!service?.availability.available || !anyChosen(s)) return;
  const o = s.serverObjects;
  const account = requireAccount(ctx.session);
  const password = ctx.session.secrets.targetPassword;
  const src = s.source;
  const base = { account, source: { server: src.server, authentication: src.authentication, userName: src.userName, encrypt: src.encrypt, trustServerCertificate: src.trustServerCertificate }, sourceSecret: ctx.session.secrets.sqlPassword };
  const parts: { part: 'tde' | 'login' | 'object'; doing: string; run: (pair: ServerPairInfo, databases: string[]) => Promise<ServerObjectsOutcome> }[] = phase === 'before'
    ? o.tde ? [{ part: 'tde', doing: l10n.t('Uploading the TDE certificates'), run: (pair, dbs) => service.uploadTde(pair, dbs, ctx.signal) }] : []
    : [
        ...(o.logins ? [{ part: 'login' as const, doing: l10n.t('Creating the logins'), run: (pair: ServerPairInfo) => service.createLogins(pair, { names: o.loginNames, mapping: mappingEntries(o.mapping) }, ctx.signal) }] : []),
        ...(o.objects ? [{ part: 'object' as const, doing: l10n.t('Creating the Agent jobs and other server objects'), run: (pair: ServerPairInfo) => service.applyServerObjects(pair, ctx.signal) }] : []),
      ];
  const results = [...(phase === 'before' ? [] : ctx.state.serverObjects.results)];
  for (const mi of instances(s)) {
    const name = mi.id.slice(mi.id.lastIndexOf('/') + 1);
    const pair: ServerPairInfo = { ...base, instanceId: mi.id, ...(o.user.trim() && password !== undefined && { instanceLogin: { user: o.user.trim(), password } }) };
    for (const p of parts) {
      if (p.part === 'tde' && !mi.databases.length) continue;
      progress(`${p.doing} (${name})`);
      try {
        const outcome = await p.run(pair, mi.databases);
        ctx.deps.log.info(`wizard: ${p.doing} on ${name}:\n${outcome.text}`);
        results.push(...outcome.items.map((i) => ({ ...i, name: s.target.instanceIds.length > 1 ? `${name}: ${i.name}` : i.name, ...(i.detail && { detail: ctx.deps.redactor.redact(i.detail) }) })));
      } catch (e) {
        if ((e as Error).name === 'AbortError' || ctx.signal.aborted) throw e;
        const message = ctx.deps.redactor.redact((e as Error).message);
        ctx.deps.log.warn(`wizard: ${p.doing} on ${name} failed: ${message}`);
        results.push({ part: p.part, name, status: 'failed', detail: message });
      }
    }
  }
  ctx.dispatch({ type: 'serverObjects.results', results });
}
