/** Step 6, the summary, and the start of the migrations it lists. */
import * as l10n from '@vscode/l10n';
import { requireAccount, type HostStep } from '../context';
import { busyOp, unavailable } from '../state';
import type { WizardState } from '../../../protocol/wizard';

export type SummaryAction = { type: 'start.results'; results: WizardState['start']['results'] };

export const summaryStep = {
  check: (s: WizardState) => unavailable(s, 'starter'),
  handlers: {
    start: (ctx) =>
      ctx.run('start', l10n.t('Starting the migrations'), async () => {
        const redact = (text: string) => ctx.deps.redactor.redact(text);
        const request = ctx.migrationRequest();
        const results = await ctx.deps.services.starter.start(requireAccount(ctx.session), request, { ...ctx.session.secrets }, ctx.signal, (message) =>
          ctx.dispatch({ type: 'op', slice: 'start', op: busyOp(redact(message)) }));
        // A database that did not start carries the service's error text: shown, so redacted like any error.
        ctx.dispatch({ type: 'start.results', results: results.map((r) => (r.error === undefined ? r : { ...r, error: redact(r.error) })) });
        const ok = results.filter((r) => !r.error).length;
        ctx.deps.log.info(`wizard: started ${ok} of ${results.length} migrations`);
        if (ok > 0) ctx.deps.host.showMigrations();
      }, l10n.t('Starting...')),
  },
  reducers: {
    'start.results': (s, a) => ({ ...s, start: { ...s.start, results: a.results } }),
  },
} satisfies HostStep<SummaryAction>;
