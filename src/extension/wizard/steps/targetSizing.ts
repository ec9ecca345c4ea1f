/**
 * The target step's size recommendation: from a folder of performance data (sqlmig perf
 * collect, or Microsoft's collector), the core recommends a tier and size for the selected
 * databases, and each chosen instance is checked against it by the core's rule
 * (instanceFitWarnings). Warnings only: the data may miss a peak the user knows. Without data
 * the step says how to collect it; it never guesses.
 */
import * as l10n from '@vscode/l10n';
import { instanceFitWarnings } from '../../../core/sku/instanceFit';
import { formatSpan, type InstanceRecommendation } from '../../../core/sku/recommend';
import type { StepContext } from '../context';
import { chosenInstances } from '../state';
import type { WizardState } from '../../../protocol/wizard';

type Sizing = NonNullable<WizardState['target']['sizing']>;

export type SizingAction = { type: 'target.sized'; sizing: Sizing } | { type: 'target.fit'; warnings: Sizing['warnings'] };

type Ctx = StepContext<SizingAction>;

const selectionKey = (s: WizardState) => s.source.selected.join('\n');

function viewOf(folder: string, rec: InstanceRecommendation): Sizing {
  const r = rec.instance;
  const req = r.requirements;
  return {
    folder,
    ...(r.recommended && { recommended: r.recommended.name, explanation: r.recommended.explanation }),
    covers: l10n.t('{0} of data, {1} samples, each dimension at the {2}th percentile', formatSpan(req.spanSeconds), req.dataPoints, req.percentile),
    problems: [...r.reasons, ...r.blockers],
    warnings: [],
  };
}

/** Each chosen instance against the recommendation in memory (nothing when there is none). */
export function refreshFit(ctx: Ctx): void {
  const rec = ctx.session.sizing?.recommendation;
  if (!rec || !ctx.state.target.sizing) return;
  const warnings = chosenInstances(ctx.state).flatMap((mi) => {
    const vCores = ctx.state.target.instances.find((i) => i.id === mi.id)?.vCores;
    return instanceFitWarnings(rec.instance, { name: mi.name, ...(mi.tier && { tier: mi.tier }), ...(vCores !== undefined && { vCores }) }).map((text) => ({ instanceId: mi.id, text }));
  });
  ctx.dispatch({ type: 'target.fit', warnings });
}

export async function loadSizing(ctx: Ctx, folder: string): Promise<void> {
  const sizing = ctx.deps.services.sizing;
  await ctx.run('target', l10n.t('Recommending a size from the performance data'), async () => {
    if (!sizing?.availability.available) {
      throw new Error(l10n.t('Sizing is not available in this build: run sqlmig recommend --data {0} instead.', folder));
    }
    const databases = ctx.state.source.selected;
    const recommendation = await sizing.recommend(folder, databases, ctx.signal);
    ctx.session.sizing = { folder, databases: databases.join('\n'), recommendation };
    ctx.dispatch({ type: 'target.sized', sizing: viewOf(folder, recommendation) });
    refreshFit(ctx);
  }, l10n.t('Reading the performance data...'));
}

/** On entering the step: a recommendation made for another selection (or lost with a reload) is made again. */
export async function reloadSizing(ctx: Ctx): Promise<void> {
  const folder = ctx.state.target.sizing?.folder;
  if (!folder) return;
  if (ctx.session.sizing?.folder === folder && ctx.session.sizing.databases === selectionKey(ctx.state)) refreshFit(ctx);
  else await loadSizing(ctx, folder);
}

export const targetSizing = {
  handlers: {
    'target.useSizingData': async (ctx: Ctx) => {
      const folder = await ctx.deps.host.pickFolder(l10n.t('Performance data (a sqlmig perf collect folder, or Microsoft\'s collector CSV files)'));
      if (folder) await loadSizing(ctx, folder);
    },
  },
  reducers: {
    'target.sized': (s: WizardState, a: Extract<SizingAction, { type: 'target.sized' }>): WizardState => ({ ...s, target: { ...s.target, sizing: a.sizing } }),
    'target.fit': (s: WizardState, a: Extract<SizingAction, { type: 'target.fit' }>): WizardState => {
      const sizing = s.target.sizing;
      if (!sizing || JSON.stringify(sizing.warnings) === JSON.stringify(a.warnings)) return s;
      return { ...s, target: { ...s.target, sizing: { ...sizing, warnings: a.warnings } } };
    },
  },
};
