/** Step 4, Server objects (optional): TDE certificates, logins, Agent jobs and other server objects, and a login on the target instance. */
import * as l10n from '@vscode/l10n';
import { html, nothing, type TemplateResult } from 'lit';
import type { WizardState } from '../../../../protocol/wizard';
import { send } from '../vscodeApi';
import { field, inputValue, isBusy, isChecked, opLine, unavailable, type StepView } from '../widgets';

type Result = WizardState['serverObjects']['results'][number];

const WINDOWS = new Set(['windows-user', 'windows-group']);

function loginList(o: WizardState['serverObjects']): TemplateResult {
  if (!o.sourceLogins) {
    return html`<div class="row"><vscode-button secondary ?disabled=${isBusy(o)} @click=${() => send({ type: 'serverObjects.listLogins' })}>${l10n.t('List the Source\'s Logins')}</vscode-button></div>`;
  }
  const chosen = new Set(o.loginNames);
  const movable = o.sourceLogins.filter((l) => !l.excluded);
  const toggle = (name: string, on: boolean) => send({ type: 'serverObjects.selectLogins', names: on ? [...o.loginNames, name] : o.loginNames.filter((n) => n !== name) });
  const windows = o.sourceLogins.some((l) => chosen.has(l.name) && WINDOWS.has(l.kind));
  return html`<div class="row">
      <span>${l10n.t('{0} of {1} logins chosen', chosen.size, movable.length)}</span>
      <vscode-button secondary @click=${() => send({ type: 'serverObjects.selectLogins', names: movable.map((l) => l.name) })}>${l10n.t('All')}</vscode-button>
      <vscode-button secondary @click=${() => send({ type: 'serverObjects.selectLogins', names: [] })}>${l10n.t('None')}</vscode-button>
      <vscode-button secondary ?disabled=${isBusy(o)} @click=${() => send({ type: 'serverObjects.listLogins' })}>${l10n.t('Refresh')}</vscode-button>
    </div>
    <div class="vscroll" id="logins-scroll"><table class="list compact" id="logins">
      <thead><tr><th></th><th>${l10n.t('Login')}</th><th>${l10n.t('Kind')}</th><th>${l10n.t('Note')}</th></tr></thead>
      <tbody>${o.sourceLogins.map((l) => html`<tr data-login=${l.name}>
        <td><vscode-checkbox aria-label=${l.name} ?checked=${chosen.has(l.name)} ?disabled=${!!l.excluded} @change=${(e: Event) => toggle(l.name, isChecked(e))}></vscode-checkbox></td>
        <td>${l.name}</td><td>${l.kind}</td><td class="muted">${l.excluded ?? ''}</td></tr>`)}</tbody>
    </table></div>
    ${field('so-mapping', l10n.t('Windows domains to Microsoft Entra domains'), html`<vscode-textfield id="so-mapping" .value=${o.mapping} placeholder="CONTOSO=contoso.com"
      @change=${(e: Event) => send({ type: 'serverObjects.update', patch: { mapping: inputValue(e).trim() } })}></vscode-textfield>`,
      windows ? l10n.t('Windows logins become Microsoft Entra logins: users name@contoso.com, groups by their name. Separate several with commas.') : l10n.t('Needed only for Windows logins.'), true)}`;
}

function resultList(results: readonly Result[]): TemplateResult | typeof nothing {
  if (!results.length) return nothing;
  const bad = (r: Result) => r.status === 'failed' || r.status === 'refused' || r.status === 'cannot';
  const part = { tde: l10n.t('TDE certificate'), login: l10n.t('Login'), user: l10n.t('User'), object: l10n.t('Server object') };
  return html`<ul class="tests" id="server-object-results">${results.slice(0, 500).map((r) => html`<li class=${bad(r) ? 'bad' : 'ok'}><vscode-icon name=${bad(r) ? 'error' : 'pass-filled'}></vscode-icon>
    ${part[r.part]} ${r.name}: ${r.status}${r.detail ? ` (${r.detail})` : ''}</li>`)}</ul>`;
}

/** What the summary lists of the step: what will be done besides the databases, and what was. */
export function serverObjectsSummary(s: WizardState): { plan: string; results: TemplateResult | typeof nothing } {
  const o = s.serverObjects;
  const plan = [
    o.tde && l10n.t('upload the TDE certificates of the encrypted databases (first)'),
    o.logins && l10n.t('create {0} logins', o.loginNames.length),
    o.objects && l10n.t('create the Agent jobs and other server objects'),
  ].filter(Boolean).join('; ');
  return { plan: plan || l10n.t('nothing besides the databases'), results: resultList(o.results) };
}

function render(s: WizardState): TemplateResult {
  const o = s.serverObjects;
  const off = !s.capabilities.serverObjects.available;
  const update = (patch: Partial<Pick<WizardState['serverObjects'], 'tde' | 'logins' | 'objects' | 'user'>>) => send({ type: 'serverObjects.update', patch });
  return html`
    <p class="lead">${l10n.t('Optional: what moves besides the databases. The TDE certificates go up first at Start (an encrypted database restores only where its certificate is); the logins and server objects are created once the migrations have started. Nothing on the instance is dropped or changed.')}</p>
    ${unavailable(s, 'serverObjects')}
    <div class="form">
      <vscode-checkbox id="so-tde" label=${l10n.t('Upload the TDE certificates of the selected encrypted databases')} ?checked=${o.tde} ?disabled=${off} @change=${(e: Event) => update({ tde: isChecked(e) })}></vscode-checkbox>
      <vscode-checkbox id="so-logins" label=${l10n.t('Create the source\'s logins (SQL logins keep their password and SID; Windows logins become Microsoft Entra logins)')} ?checked=${o.logins} ?disabled=${off} @change=${(e: Event) => update({ logins: isChecked(e) })}></vscode-checkbox>
      <vscode-checkbox id="so-objects" label=${l10n.t('Create the Agent jobs, operators, linked servers, credentials and Database Mail the instance supports')} ?checked=${o.objects} ?disabled=${off} @change=${(e: Event) => update({ objects: isChecked(e) })}></vscode-checkbox>
    </div>
    ${o.tde || o.logins || o.objects
      ? html`<div class="form">
          ${field('so-user', l10n.t('Login on the target instance'), html`<vscode-textfield id="so-user" .value=${o.user} placeholder=${l10n.t('e.g. its admin')} ?disabled=${off}
            @change=${(e: Event) => update({ user: inputValue(e).trim() })}></vscode-textfield>`)}
          ${field('so-password', l10n.t('Password'), html`<vscode-textfield id="so-password" type="password" autocomplete="off" ?disabled=${off}
            placeholder=${o.passwordEntered ? l10n.t('Entered (type to replace)') : ''}
            @change=${(e: Event) => send({ type: 'serverObjects.password', value: inputValue(e) })}></vscode-textfield>`, l10n.t('Kept in memory while the wizard is open, never saved. The TDE check at Start reads the instance\'s certificates with it.'))}
        </div>`
      : nothing}
    ${o.logins ? loginList(o) : nothing}
    ${opLine(o.op)}
    <div class="row"><vscode-button secondary id="so-skip" @click=${() => send({ type: 'serverObjects.skip' })}>${l10n.t('Skip: Only the Databases')}</vscode-button></div>
    ${resultList(o.results)}`;
}

export const serverObjectsView: StepView = { title: () => l10n.t('Server objects'), render };
