/** Step 1, the Azure account: the cloud and the sign-in. */
import * as l10n from '@vscode/l10n';
import { html, nothing, type TemplateResult } from 'lit';
import type { WizardState } from '../../../../protocol/wizard';
import { send } from '../vscodeApi';
import { isBusy, isChecked, opLine, unavailable, type StepView } from '../widgets';

function render(s: WizardState): TemplateResult {
  const a = s.account;
  const known = a.clouds.filter((c) => c.name !== 'custom');
  const custom = a.clouds.find((c) => c.name === 'custom');
  const off = !s.capabilities.accounts.available;
  return html`
    <p class="lead">${l10n.t('Choose the cloud that holds your target managed instance, then sign in.')}</p>
    ${unavailable(s, 'accounts')}
    <fieldset>
      <legend>${l10n.t('Cloud')}</legend>
      <vscode-radio-group variant="vertical">
        ${known.map((c) => html`<vscode-radio name="cloud" value=${c.name} label=${c.displayName} ?checked=${a.cloudName === c.name} ?disabled=${off}
          @change=${(e: Event) => isChecked(e) && send({ type: 'account.selectCloud', name: c.name })}></vscode-radio>`)}
        <vscode-radio name="cloud" value="custom" label=${custom ? l10n.t('Custom: {0}', custom.displayName) : l10n.t('Custom cloud from a file (Azure Stack Hub, local sandbox)')}
          ?checked=${a.cloudName === 'custom'} ?disabled=${off} @change=${(e: Event) => isChecked(e) && send({ type: 'account.selectCloud', name: 'custom' })}></vscode-radio>
      </vscode-radio-group>
    </fieldset>
    ${a.cloudName === 'custom'
      ? html`<div class="row">
          <span class=${a.customCloudFile ? 'path' : 'muted'}>${a.customCloudFile ?? l10n.t('No cloud file chosen')}</span>
          <vscode-button secondary id="choose-cloud-file" ?disabled=${isBusy(a) || off} @click=${() => send({ type: 'account.chooseCloudFile' })}>${l10n.t('Choose Cloud File...')}</vscode-button>
        </div>`
      : nothing}
    <div class="row">
      <vscode-button id="sign-in" ?disabled=${isBusy(a) || off || (a.cloudName === 'custom' && !a.customCloudFile)} @click=${() => send({ type: 'account.signIn' })}>
        ${a.signedIn ? l10n.t('Sign In Again') : l10n.t('Sign In')}
      </vscode-button>
      ${a.signedIn ? html`<span class="ok" id="signed-in"><vscode-icon name="pass-filled"></vscode-icon>${l10n.t('Signed in: {0}', a.signedIn)}</span>` : nothing}
    </div>
    ${opLine(a.op)}`;
}

export const accountView: StepView = { title: () => l10n.t('Azure account'), render };
