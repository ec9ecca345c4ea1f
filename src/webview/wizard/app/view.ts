/** The wizard's frame: the step list, the current step's page (its own module renders it), and the footer with what blocks Next. */
import * as l10n from '@vscode/l10n';
import { html, nothing, type TemplateResult } from 'lit';
import { skippedSteps, STEPS, type IssueGroup, type StepId, type WizardState } from '../../../protocol/wizard';
import { accountView } from './steps/account';
import { backupsView } from './steps/backups';
import { serverObjectsView } from './steps/serverObjects';
import { serviceView } from './steps/service';
import { sourceView } from './steps/source';
import { summaryView } from './steps/summary';
import { targetView } from './steps/target';
import { invalidate, ui } from './ui';
import { send } from './vscodeApi';
import type { StepView } from './widgets';

const VIEWS: { [S in StepId]: StepView } = {
  account: accountView,
  source: sourceView,
  target: targetView,
  serverObjects: serverObjectsView,
  backups: backupsView,
  service: serviceView,
  summary: summaryView,
};

function stepList(s: WizardState): TemplateResult {
  const reached = STEPS.indexOf(s.reached);
  const current = STEPS.indexOf(s.step);
  const skipped = skippedSteps(s);
  return html`<nav aria-label=${l10n.t('Wizard steps')}>
    <ol class="steps">
      ${STEPS.map((step, i) => {
        const state = skipped.has(step) ? 'skipped' : i === current ? 'current' : i < current || i <= reached ? 'visited' : 'todo';
        return html`<li class=${state}>
          <button
            class="step"
            aria-current=${i === current ? 'step' : 'false'}
            ?disabled=${i > reached || skipped.has(step)}
            title=${skipped.has(step) ? l10n.t('Not needed with the Log Replay Service') : nothing}
            @click=${() => send({ type: 'goto', step })}
          >
            <span class="num" aria-hidden="true">${i + 1}</span><span class="name">${VIEWS[step].title()}</span>
          </button>
        </li>`;
      })}
    </ol>
  </nav>`;
}

/** Brings a database's row (or card) into view: the link of a problem in "To continue". */
function reveal(s: WizardState, database: string): void {
  if (s.step === 'source') {
    const index = s.source.databases.findIndex((d) => d.name === database);
    if (index < 0) return;
    ui.dbFilter = '';
    ui.dbState = 'any';
    ui.dbResult = 'any';
    ui.reveal = { list: 'databases-scroll', index, database };
  } else if (s.step === 'backups') {
    const index = s.backups.databases.findIndex((d) => d.source === database);
    if (index < 0) return;
    ui.backupsFilter = '';
    ui.backupsShow = 'all';
    ui.backupsShown = Math.max(ui.backupsShown, index + 1);
    ui.reveal = { list: '', index, database };
  } else return;
  invalidate();
}

/** Shows only the databases with problems (the rest of a long kind). */
function showProblems(s: WizardState): void {
  if (s.step !== 'backups') return;
  ui.backupsFilter = '';
  ui.backupsShow = 'problems';
  invalidate();
}

function issueItem(s: WizardState, item: IssueGroup['items'][number]): TemplateResult {
  return item.database !== undefined
    ? html`<button class="link" title=${item.text} @click=${() => reveal(s, item.database!)}>${item.database}</button>`
    : html`${item.text}`;
}

/** What keeps Next disabled: one line per kind of problem, with how many and the first few, never taller than its box. */
function issuesArea(s: WizardState): TemplateResult {
  const total = s.issues.reduce((n, g) => n + g.count, 0);
  return html`<div class="issues" role="status" aria-live="polite">
    ${s.issues.length
      ? html`<span class="issues-title">${total === 1 ? l10n.t('To continue:') : l10n.t('To continue ({0}):', total.toLocaleString())}</span>
          <ul>${s.issues.map((g) =>
            g.count === 1
              ? html`<li data-kind=${g.kind}>${g.items[0]?.database !== undefined ? html`${g.items[0].text} ${issueItem(s, { text: l10n.t('Show'), database: g.items[0].database })}` : g.items[0]?.text ?? g.label}</li>`
              : html`<li data-kind=${g.kind}><span class="issue-label">${g.label}</span> <span class="issue-count">(${g.count.toLocaleString()})</span>${g.items.some((i) => i.database !== undefined)
                  ? html`: ${g.items.map((i, n) => html`${n ? ', ' : ''}${issueItem(s, i)}`)}${g.count > g.items.length
                      ? s.step === 'backups'
                        ? html`, <button class="link" @click=${() => showProblems(s)}>${l10n.t('{0} more', (g.count - g.items.length).toLocaleString())}</button>`
                        : html`, ${l10n.t('{0} more', (g.count - g.items.length).toLocaleString())}`
                      : nothing}`
                  : nothing}</li>`,
          )}</ul>`
      : nothing}
  </div>`;
}

function footer(s: WizardState): TemplateResult {
  const last = s.step === 'summary';
  const started = s.start.results.length > 0;
  const starting = s.start.op.status === 'busy';
  return html`<footer>
    ${issuesArea(s)}
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
