/** The messages that belong to no step: the webview is ready, moving between steps, starting over. */
import * as l10n from '@vscode/l10n';
import { STEPS, type StepId, type WizardState } from '../../protocol/wizard';
import type { HostStep, StepContext } from './context';
import { skippedSteps } from './steps/engine';
import { validateStep } from './validation';

const index = (step: StepId) => STEPS.indexOf(step);

/** The nearest step from `from` in `direction` that the chosen engine asks something in (a skipped one is passed over). */
function neighbour(s: WizardState, from: StepId, direction: 1 | -1): StepId {
  const skipped = skippedSteps(s);
  for (let i = index(from) + direction; i >= 0 && i < STEPS.length; i += direction) if (!skipped.has(STEPS[i]!)) return STEPS[i]!;
  return from;
}

/** Entering another step loads what it lists. */
const enterIfMoved = (ctx: StepContext, _m: unknown, before: WizardState) => (ctx.state.step !== before.step ? ctx.enter(ctx.state.step) : undefined);

export const navigation = {
  handlers: {
    // A new webview document: it has neither the state nor the strings.
    ready: (ctx) => ctx.resend(),
    next: enterIfMoved,
    back: enterIfMoved,
    goto: enterIfMoved,
    startOver: async (ctx) => {
      if (await ctx.deps.host.confirm(l10n.t('Start over?'), l10n.t('Every answer in the wizard is forgotten, and passwords it holds in memory too.'), l10n.t('Start Over'))) ctx.startOver();
    },
  },
  reducers: {
    next: (s) => {
      if (validateStep(s, s.step).length) return s;
      const next = neighbour(s, s.step, 1);
      return { ...s, step: next, reached: index(next) > index(s.reached) ? next : s.reached };
    },
    back: (s) => ({ ...s, step: neighbour(s, s.step, -1) }),
    // Only back to a step already reached (later ones have not been validated), never to one the engine skips.
    goto: (s, a) => (index(a.step) <= index(s.reached) && !skippedSteps(s).has(a.step) ? { ...s, step: a.step } : s),
  },
} satisfies Pick<HostStep, 'handlers' | 'reducers'>;
