/** The wizard's frame: the step list, the current step's page (its own module renders it), and the footer with what blocks Next. */
import * as l10n from '@vscode/l10n';
import { html, type TemplateResult } from 'lit';
import { STEPS, type StepId, type WizardState } from '../../../protocol/wizard';
import { accountView } from './steps/account';
import { backupsView } from './steps/backups';
import { serviceView } from './steps/service';
import { sourceView } from './steps/source';
import { summaryView } from './steps/summary';
import { targetView } from './steps/target';
import { send } from './vscodeApi';
import type { StepView } from './widgets';

const VIEWS: { [S in StepId]: StepView } = {
  account: accountView,
  source: sourceView,
  target: targetView,
  backups: backupsView,
  service: serviceView,
  summary: summaryView,
};

function stepList(s: WizardState): TemplateResult {
  const reached = STEPS.indexOf(s.reached);
  const current = STEPS.indexOf(s.step);
  return html`<nav aria-label=${l10n.t('Wizard steps')}>
    <ol class="steps">
      ${STEPS.map((step, i) => {
        const state = i === current ? 'current' : i < current || i <= reached ? 'visited' : 'todo';
        return html`<li class=${state}>
          <button
            class="step"
            aria-current=${i === current ? 'step' : 'false'}
            ?disabled=${i > reached}
            @click=${() => send({ type: 'goto', step })}
          >
            <span class="num" aria-hidden="true">${i + 1}</span><span class="name">${VIEWS[step].title()}</span>
          </button>
        </li>`;
      })}
    </ol>
  </nav>`;
}

function footer(s: WizardState): TemplateResult {
  const last = s.step === 'summary';
  const started = s.start.results.length > 0;
  const starting = s.start.op.status === 'busy';
  return html`<footer>
    ${s.issues.length
      ? html`<div class="issues" role="status" aria-live="polite">
          <span class="issues-title">${l10n.t('To continue:')}</span>
          <ul>${s.issues.map((i) => html`<li>${i}</li>`)}</ul>
        </div>`
      : html`<div class="issues" role="status" aria-live="polite"></div>`}
    <div class="buttons">
      <vscode-button secondary @click=${() => send({ type: 'startOver' })} title=${l10n.t('Forget every answer and start again')}>${l10n.t('Start Over')}</vscode-button>
      <span class="spacer"></span>
      <vscode-button secondary ?disabled=${s.step === 'account'} @click=${() => send({ type: 'back' })}>${l10n.t('Back')}</vscode-button>
      ${last
        ? html`<vscode-button id="primary" ?disabled=${s.issues.length > 0 || starting || started} @click=${() => send({ type: 'start' })}>${l10n.t('Start Migration')}</vscode-button>`
        : html`<vscode-button id="primary" ?disabled=${s.issues.length > 0} @click=${() => send({ type: 'next' })}>${l10n.t('Next')}</vscode-button>`}
    </div>
  </footer>`;
}

export function app(s: WizardState): TemplateResult {
  const view = VIEWS[s.step];
  return html`<div class="wizard" data-step=${s.step}>
    <header>
      <h1>${l10n.t('Migrate to Azure SQL')}</h1>
      <p class="subtitle">${l10n.t('SQL Server to Azure SQL Managed Instance, with minimal downtime')}</p>
    </header>
    ${stepList(s)}
    <section class="page" aria-labelledby="step-title">
      <h2 id="step-title" tabindex="-1">${view.title()}</h2>
      ${view.render(s)}
    </section>
    ${footer(s)}
  </div>`;
}
