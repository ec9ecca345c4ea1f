/**
 * Step 3, the target managed instances, with what already is on them. One run may spread over
 * several instances: they fill in the order chosen, each up to its tier's limit; the host says
 * which database goes where (its `instanceId`), and what does not fit.
 */
import * as l10n from '@vscode/l10n';
import { html, nothing, type TemplateResult } from 'lit';
import type { WizardState } from '../../../../protocol/wizard';
import { send } from '../vscodeApi';
import { count, field, isBusy, opLine, picker, unavailable, warningLine, type StepView } from '../widgets';
import { sizingSection } from './targetSizing';

type Instance = WizardState['target']['instances'][number];

function describe(i: Instance): string {
  return `${i.state === 'Ready' ? i.name : l10n.t('{0} ({1})', i.name, i.state)} · ${[i.tier, i.vCores !== undefined ? l10n.t('{0} vCores', i.vCores) : ''].filter(Boolean).join(' ')} · ${i.location} · ${i.resourceGroup}`;
}

function render(s: WizardState): TemplateResult {
  const t = s.target;
  const off = !s.capabilities.subscriptions.available || !s.capabilities.targets.available;
  const chosen = t.instanceIds.map((id) => t.instances.find((i) => i.id === id)).filter((i): i is Instance => Boolean(i));
  const first = chosen[0];
  const others = t.instances.filter((i) => !t.instanceIds.includes(i.id));
  const existing = new Map(t.existing.map((e) => [e.instanceId, e.names]));
  const placed = new Map<string, number>();
  for (const d of s.backups.databases) if (d.instanceId) placed.set(d.instanceId, (placed.get(d.instanceId) ?? 0) + 1);
  const unplaced = s.backups.databases.filter((d) => !d.instanceId).map((d) => d.source);
  const allListed = chosen.every((i) => existing.has(i.id));
  const conflicts = s.backups.databases.filter((d) => d.instanceId && existing.get(d.instanceId)?.some((e) => e.toLowerCase() === d.target.toLowerCase()));
  return html`
    <p class="lead">${l10n.t('Choose the Azure SQL Managed Instances the databases move to. More databases than one instance holds spread over several, in the order you add them.')}</p>
    ${unavailable(s, 'subscriptions', 'targets')}
    <div class="form">
      ${field('subscription', l10n.t('Subscription'), picker({
        id: 'subscription', chosen: t.subscriptionId, items: t.subscriptions, disabled: off || isBusy(t),
        choose: l10n.t('Choose a subscription'), none: l10n.t('No subscriptions listed'),
        label: (x) => x.name, description: (x) => x.id,
        onPick: (id) => send({ type: 'target.selectSubscription', id }),
      }))}
      ${field('instance', l10n.t('Managed instance'), picker({
        id: 'instance', chosen: first?.id, items: t.instances, disabled: off || isBusy(t) || !t.subscriptionId,
        choose: l10n.t('Choose a managed instance'), none: l10n.t('No managed instances listed'),
        label: describe,
        onPick: (id) => send({ type: 'target.selectInstance', id }),
      }))}
    </div>
    ${opLine(t.op)}
    ${chosen.length
      ? html`<table class="list" id="targets">
          <caption>${l10n.t('{0} databases selected; where they go:', count(s.source.selected.length))}</caption>
          <thead><tr><th>${l10n.t('Instance')}</th><th>${l10n.t('Tier')}</th><th class="num">${l10n.t('Already there')}</th><th class="num">${l10n.t('Going there')}</th><th></th></tr></thead>
          <tbody>${chosen.map((i) => html`<tr data-instance=${i.name}>
            <td>${i.name}${i.state !== 'Ready' ? html` <span class="bad">${i.state}</span>` : nothing}</td>
            <td>${i.tier ?? l10n.t('unknown')}</td>
            <td class="num">${existing.has(i.id) ? count(existing.get(i.id)!.length) : html`<span class="muted">${l10n.t('listing...')}</span>`}</td>
            <td class="num">${count(placed.get(i.id) ?? 0)}</td>
            <td>${chosen.length > 1 ? html`<vscode-button secondary class="remove-instance" @click=${() => send({ type: 'target.removeInstance', id: i.id })}>${l10n.t('Remove')}</vscode-button>` : nothing}</td>
          </tr>`)}</tbody>
        </table>`
      : nothing}
    ${first && others.length
      ? html`<div class="form">${field('add-instance', l10n.t('Add another instance (filled after the ones above)'), picker({
          id: 'add-instance', chosen: undefined, items: others, disabled: off || isBusy(t),
          choose: l10n.t('Choose an instance to add'), none: l10n.t('No other instance'),
          label: describe,
          onPick: (id) => send({ type: 'target.addInstance', id }),
        }))}</div>`
      : nothing}
    ${first && allListed && unplaced.length
      ? html`<div class="note warn" role="alert" id="capacity">
          <vscode-icon name="warning"></vscode-icon>
          <span>${l10n.t('{0} of the selected databases do not fit on the chosen instances (the last ones: {1}). Add an instance, or leave them out of this run.', count(unplaced.length), unplaced.slice(-3).join(', '))}</span>
          <vscode-button secondary id="leave-out" @click=${() => send({ type: 'source.toggle', names: unplaced, selected: false })}>${l10n.t('Leave Out {0}', count(unplaced.length))}</vscode-button>
        </div>`
      : nothing}
    ${chosen.filter((i) => i.state !== 'Ready').map((i) => warningLine(l10n.t('{0} is {1}: it cannot take migrations until it is Ready.', i.name, i.state)))}
    ${chosen.map((i) => {
      const names = existing.get(i.id) ?? [];
      return names.length ? html`<p class="help">${l10n.t('Databases already on {0} ({1}): {2}', i.name, count(names.length), names.length > 12 ? `${names.slice(0, 12).join(', ')}, …` : names.join(', '))}</p>` : nothing;
    })}
    ${t.subscriptionId ? sizingSection(s) : nothing}
    ${conflicts.length ? warningLine(l10n.t('Already on the target: {0}. Give them other target names in the next step.', conflicts.length > 10 ? `${conflicts.slice(0, 10).map((c) => c.target).join(', ')}, … (${conflicts.length})` : conflicts.map((c) => c.target).join(', '))) : nothing}`;
}

export const targetView: StepView = { title: () => l10n.t('Target managed instances'), render };
