/** The target step's size recommendation from performance data, and what each chosen instance lacks for it; without data, how to collect it. */
import * as l10n from '@vscode/l10n';
import { html, nothing, type TemplateResult } from 'lit';
import type { WizardState } from '../../../../protocol/wizard';
import { send } from '../vscodeApi';
import { isBusy, warningLine } from '../widgets';

export function sizingSection(s: WizardState): TemplateResult {
  const t = s.target;
  const z = t.sizing;
  const names = new Map(t.instances.map((i) => [i.id, i.name]));
  const choose = html`<vscode-button secondary id="sizing-data" ?disabled=${isBusy(t)} @click=${() => send({ type: 'target.useSizingData' })}>${z ? l10n.t('Other Performance Data...') : l10n.t('Use Performance Data...')}</vscode-button>`;
  if (!z) {
    return html`<div class="card" id="sizing">
      <h3>${l10n.t('Size')}</h3>
      <p class="help">${l10n.t('No performance data yet, so no recommendation. Collect at least 10 minutes of it from the source (hours covering peak and quiet times are better), then choose its folder here:')}</p>
      <pre class="command">sqlmig perf collect --source-server ${s.source.server || 'SERVER'} --source-user ${s.source.userName || 'USER'} --out FOLDER --duration 1h</pre>
      <div class="row">${choose}</div>
    </div>`;
  }
  return html`<div class="card" id="sizing">
    <h3>${l10n.t('Size')}</h3>
    ${z.recommended
      ? html`<p>${l10n.t('Recommended for the selected databases: {0}', z.recommended)}</p>${z.explanation ? html`<p class="help">${z.explanation}</p>` : nothing}`
      : html`<p class="bad">${l10n.t('Nothing in Managed Instance fits this workload.')}</p>`}
    ${z.problems.map((p) => warningLine(p))}
    <p class="help">${l10n.t('From {0}: {1}.', z.folder, z.covers)}</p>
    ${z.warnings.map((w) => html`<div data-instance=${names.get(w.instanceId) ?? ''}>${warningLine(w.text)}</div>`)}
    <div class="row">${choose}</div>
  </div>`;
}
