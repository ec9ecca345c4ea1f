/** The last step, the summary, and the start of the migrations it lists (by the chosen engine), with what the Server objects step chose around it. */
import * as l10n from '@vscode/l10n';
import { requireAccount, type HostStep } from '../context';
import { busyOp, unavailable } from '../state';
import { runServerObjects, type ServerObjectsAction } from './serverObjects';
import type { WizardState } from '../../../protocol/wizard';

// The summary's check keeps Start disabled without it; a message sent anyway ends here.
const unavailableLrs = (): never => {
  throw new Error(l10n.t('The Log Replay Service is not available in this build.'));
};

export type SummaryAction = { type: 'start.results'; results: WizardState['start']['results'] };

export const summaryStep = {
  check: (s: WizardState) => unavailable(s, s.engine.kind === 'lrs' ? 'logReplay' : 'starter'),
  handlers: {
    start: (ctx) =>
      ctx.run('start', l10n.t('Starting the migrations'), async () => {
        const redact = (text: string) => ctx.deps.redactor.redact(text);
        const progress = (message: string) => ctx.dispatch({ type: 'op', slice: 'start', op: busyOp(redact(message)) });
        const account = requireAccount(ctx.session);
        // The Server objects step's TDE certificates first: the start's TDE check then finds them on the instance.
        await runServerObjects(ctx, 'before', progress);
        const lrs = ctx.deps.services.logReplay;
        const results = ctx.state.engine.kind === 'lrs'
          ? await (lrs ?? unavailableLrs()).start(account, ctx.logReplayRequest(), { ...ctx.session.secrets }, ctx.signal, progress)
          : await ctx.deps.services.starter.start(account, ctx.migrationRequest(), { ...ctx.session.secrets }, ctx.signal, progress);
        // A database that did not start carries the service's error text: shown, so redacted like any error.
        ctx.dispatch({ type: 'start.results', results: results.map((r) => (r.error === undefined ? r : { ...r, error: redact(r.error) })) });
        const ok = results.filter((r) => !r.error).length;
        ctx.deps.log.info(`wizard: started ${ok} of ${results.length} migrations`);
        // Then the logins and the server objects the step chose (each with its own results).
        await runServerObjects(ctx, 'after', progress);
        if (ok > 0) ctx.deps.host.showMigrations();
      }, l10n.t('Starting...')),
  },
  reducers: {
    'start.results': (s, a) => ({ ...s, start: { ...s.start, results: a.results } }),
  },
} satisfies HostStep<SummaryAction | ServerObjectsAction>;
