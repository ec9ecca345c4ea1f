/** The wizard's markup: a step list, the current step, and the footer with what blocks Next. */
import * as l10n from '@vscode/l10n';
import { html, nothing, type TemplateResult } from 'lit';
import { STEPS, type CapabilityName, type Op, type StepId, type WizardState } from '../protocol';
import { send } from './vscodeApi';
import { accountStep, backupsStep, serviceStep, sourceStep, summaryStep, targetStep } from './steps';

export function stepTitle(step: StepId): string {
  switch (step) {
    case 'account': return l10n.t('Azure account');
    case 'source': return l10n.t('Source SQL Server');
    case 'target': return l10n.t('Target managed instance');
    case 'backups': return l10n.t('Mode and backups');
    case 'service': return l10n.t('Migration service');
    case 'summary': return l10n.t('Summary');
  }
}

/** A banner saying a capability is not in this build (never a pretend result). */
export function unavailable(s: WizardState, ...names: CapabilityName[]): TemplateResult | typeof nothing {
  const reasons = [...new Set(names.map((n) => s.capabilities[n]).filter((c) => !c.available).map((c) => c.reason ?? ''))];
  if (!reasons.length) return nothing;
  return html`<div class="banner" role="note">
    <vscode-icon name="info"></vscode-icon>
    <div><strong>${l10n.t('Not available in this build')}</strong>${reasons.map((r) => html`<p>${r}</p>`)}</div>
  </div>`;
}

export function opLine(op: Op): TemplateResult | typeof nothing {
  switch (op.status) {
    case 'busy':
      return html`<p class="op busy" role="status"><vscode-progress-ring></vscode-progress-ring><span>${op.message ?? l10n.t('Working...')}</span></p>`;
    case 'error':
      return html`<p class="op error" role="alert"><vscode-icon name="error"></vscode-icon><span>${op.message}</span></p>`;
    case 'done':
      return op.message ? html`<p class="op done" role="status"><vscode-icon name="pass"></vscode-icon><span>${op.message}</span></p>` : nothing;
    default:
      return nothing;
  }
}

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
            <span class="num" aria-hidden="true">${i + 1}</span><span class="name">${stepTitle(step)}</span>
          </button>
        </li>`;
      })}
    </ol>
  </nav>`;
}

function body(s: WizardState): TemplateResult {
  switch (s.step) {
    case 'account': return accountStep(s);
    case 'source': return sourceStep(s);
    case 'target': return targetStep(s);
    case 'backups': return backupsStep(s);
    case 'service': return serviceStep(s);
    case 'summary': return summaryStep(s);
  }
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
  return html`<div class="wizard" data-step=${s.step}>
    <header>
      <h1>${l10n.t('Migrate to Azure SQL')}</h1>
      <p class="subtitle">${l10n.t('SQL Server to Azure SQL Managed Instance, with minimal downtime')}</p>
    </header>
    ${stepList(s)}
    <section class="page" aria-labelledby="step-title">
      <h2 id="step-title" tabindex="-1">${stepTitle(s.step)}</h2>
      ${body(s)}
    </section>
    ${footer(s)}
  </div>`;
}
