/** Step 3, the target managed instance, with what already is on it. */
import * as l10n from '@vscode/l10n';
import { html, nothing, type TemplateResult } from 'lit';
import type { WizardState } from '../../../../protocol/wizard';
import { send } from '../vscodeApi';
import { field, isBusy, opLine, picker, unavailable, warningLine, type StepView } from '../widgets';

function render(s: WizardState): TemplateResult {
  const t = s.target;
  const off = !s.capabilities.subscriptions.available || !s.capabilities.targets.available;
  const mi = t.instances.find((i) => i.id === t.instanceId);
  const conflicts = s.backups.databases.filter((d) => t.existingDatabases.some((e) => e.toLowerCase() === d.target.toLowerCase()));
  return html`
    <p class="lead">${l10n.t('Choose the Azure SQL Managed Instance the databases move to.')}</p>
    ${unavailable(s, 'subscriptions', 'targets')}
    <div class="form">
      ${field('subscription', l10n.t('Subscription'), picker({
        id: 'subscription', chosen: t.subscriptionId, items: t.subscriptions, disabled: off || isBusy(t),
        choose: l10n.t('Choose a subscription'), none: l10n.t('No subscriptions listed'),
        label: (x) => x.name, description: (x) => x.id,
        onPick: (id) => send({ type: 'target.selectSubscription', id }),
      }))}
      ${field('instance', l10n.t('Managed instance'), picker({
        id: 'instance', chosen: t.instanceId, items: t.instances, disabled: off || isBusy(t) || !t.subscriptionId,
        choose: l10n.t('Choose a managed instance'), none: l10n.t('No managed instances listed'),
        label: (i) => `${i.state === 'Ready' ? i.name : l10n.t('{0} ({1})', i.name, i.state)} · ${[i.tier, i.vCores !== undefined ? l10n.t('{0} vCores', i.vCores) : ''].filter(Boolean).join(' ')} · ${i.location} · ${i.resourceGroup}`,
        onPick: (id) => send({ type: 'target.selectInstance', id }),
      }))}
    </div>
    ${opLine(t.op)}
    ${mi && mi.state !== 'Ready' ? warningLine(l10n.t('{0} is {1}: it cannot take migrations until it is Ready.', mi.name, mi.state)) : nothing}
    ${mi && t.existingDatabases.length
      ? html`<p class="help">${l10n.t('Databases already on {0}: {1}', mi.name, t.existingDatabases.join(', '))}</p>`
      : nothing}
    ${conflicts.length ? warningLine(l10n.t('Already on the target: {0}. Give them other target names in the next step.', conflicts.map((c) => c.target).join(', '))) : nothing}`;
}

export const targetView: StepView = { title: () => l10n.t('Target managed instance'), render };
