/**
 * The body of a migration's details view: its facts, the problems the service reports, the
 * restore timeline picture and the backup files as a table. Plain HTML and inline SVG, no
 * script; colours come from the theme.
 */
import * as l10n from '@vscode/l10n';
import { backupSetsOf, fileStatusText } from './backupSets';
import { targetOf, type DatabaseMigrationJson } from './dmsShape';
import { backupTypeLabel, formatBytes } from './model';
import type { FileHistory } from './observations';
import { isOffline, pendingLogBackups, statusOf } from './statusRules';
import { escapeXml as esc, timelineSvg } from './timeline';

export const DETAILS_STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 20px 20px; }
h1 { font-size: 1.4em; font-weight: 600; margin: 16px 0 4px; }
h2 { font-size: 1.1em; font-weight: 600; margin: 20px 0 8px; }
.sub { color: var(--vscode-descriptionForeground); margin: 0 0 12px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dt { color: var(--vscode-descriptionForeground); }
dd { margin: 0; }
.problem { border-left: 3px solid var(--vscode-editorError-foreground); padding: 4px 8px; margin: 4px 0; background: var(--vscode-inputValidation-errorBackground, transparent); }
.warning { border-left-color: var(--vscode-editorWarning-foreground); background: var(--vscode-inputValidation-warningBackground, transparent); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border)); }
td.nowrap { white-space: nowrap; }
th { color: var(--vscode-descriptionForeground); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.timeline { overflow-x: auto; }
svg text { fill: var(--vscode-foreground); font-size: 11px; font-family: var(--vscode-font-family); }
svg text.axis { fill: var(--vscode-descriptionForeground); }
svg .grid { stroke: var(--vscode-panel-border, var(--vscode-widget-border)); stroke-dasharray: 2 3; }
svg .before { fill: var(--vscode-descriptionForeground); }
svg .taken { fill: var(--vscode-descriptionForeground); }
svg .uploading { fill: var(--vscode-charts-blue); }
svg .waiting { fill: var(--vscode-charts-blue); opacity: 0.35; }
svg .restoring { fill: var(--vscode-charts-yellow); }
svg .restored { fill: var(--vscode-charts-green); }
svg text.ignored { fill: var(--vscode-editorWarning-foreground); }
.legend span { margin-right: 16px; }
.legend i { display: inline-block; width: 12px; height: 8px; margin-right: 4px; border-radius: 2px; }
.legend .taken { background: var(--vscode-descriptionForeground); border-radius: 50%; width: 8px; }
.legend .uploading { background: var(--vscode-charts-blue); }
.legend .waiting { background: var(--vscode-charts-blue); opacity: 0.35; }
.legend .restoring { background: var(--vscode-charts-yellow); }
.legend .restored { background: var(--vscode-charts-green); border-radius: 50%; width: 8px; }
`;

export function detailsBody(m: DatabaseMigrationJson, history: readonly FileHistory[], now: Date): string {
  const p = m.properties ?? {};
  const d = p.migrationStatusDetails ?? {};
  const t = targetOf(m);
  const facts: [string, string | undefined][] = [
    [l10n.t('Status'), statusOf(m) + (d.migrationState ? ` (${d.migrationState})` : '')],
    [l10n.t('Mode'), isOffline(m) ? l10n.t('Offline') : l10n.t('Online')],
    [l10n.t('Source'), [p.sourceServerName, p.sourceDatabaseName].filter(Boolean).join(' / ') || undefined],
    [l10n.t('Target'), [t.managedInstance, t.database].filter(Boolean).join(' / ')],
    [l10n.t('Backup location'), p.backupConfiguration?.sourceLocation?.fileStorageType],
    [l10n.t('Started'), p.startedOn],
    [l10n.t('Ended'), p.endedOn],
    [l10n.t('Log backups pending restore'), pendingLogBackups(m)?.toString()],
    [l10n.t('Last restored file'), d.lastRestoredFilename],
    [l10n.t('Restoring now'), d.currentRestoringFilename],
  ];
  const problems: [string, 'problem' | 'problem warning'][] = [];
  if (p.migrationFailureError?.message) problems.push([`${p.migrationFailureError.message}${p.migrationFailureError.code ? ` (${p.migrationFailureError.code})` : ''}`, 'problem']);
  if (p.provisioningError) problems.push([p.provisioningError, 'problem']);
  if (d.restoreBlockingReason) problems.push([l10n.t('Restore blocked: {0}', d.restoreBlockingReason), 'problem warning']);
  if (d.completeRestoreErrorMessage) problems.push([d.completeRestoreErrorMessage, 'problem']);
  for (const e of d.fileUploadBlockingErrors ?? []) problems.push([e, 'problem warning']);
  for (const f of d.invalidFiles ?? []) problems.push([l10n.t('Not a backup file: {0}', f), 'problem warning']);

  const svg = timelineSvg(history, { now });
  const rows = backupSetsOf(m).flatMap((set) =>
    set.files.map((f) =>
      `<tr><td>${esc(f.fileName)}</td><td class="nowrap">${esc(backupTypeLabel(f.backupType))}</td><td>${esc(fileStatusText(f))}${f.reason ? ` — ${esc(f.reason)}` : ''}</td>` +
      `<td class="num">${esc(formatBytes(f.totalSize))}</td><td class="num">${esc(f.firstLsn ?? '')}</td><td class="num">${esc(f.lastLsn ?? '')}</td></tr>`,
    ),
  );

  return [
    `<h1>${esc(t.database)}</h1>`,
    `<p class="sub">${esc(l10n.t('Migration details; refreshed with the Migrations view.'))}</p>`,
    '<dl>',
    ...facts.filter(([, v]) => v).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v!)}</dd>`),
    '</dl>',
    problems.length ? `<h2>${esc(l10n.t('Problems'))}</h2>${problems.map(([text, cls]) => `<div class="${cls}">${esc(text)}</div>`).join('')}` : '',
    `<h2>${esc(l10n.t('Restore timeline'))}</h2>`,
    svg
      ? `<div class="timeline">${svg}</div><p class="legend"><span><i class="taken"></i>${esc(l10n.t('backup taken'))}</span><span><i class="uploading"></i>${esc(l10n.t('uploading'))}</span><span><i class="waiting"></i>${esc(l10n.t('uploaded, waiting'))}</span><span><i class="restoring"></i>${esc(l10n.t('restoring'))}</span><span><i class="restored"></i>${esc(l10n.t('restored'))}</span></p>` +
        `<p class="sub">${esc(l10n.t('Times are when this window first saw each state; keep the Migrations view open to record them.'))}</p>`
      : `<p class="sub">${esc(l10n.t('No backup file reported yet.'))}</p>`,
    `<h2>${esc(l10n.t('Backup files'))}</h2>`,
    rows.length
      ? `<table><thead><tr><th>${esc(l10n.t('File'))}</th><th>${esc(l10n.t('Type'))}</th><th>${esc(l10n.t('Status'))}</th><th>${esc(l10n.t('Size'))}</th><th>${esc(l10n.t('First LSN'))}</th><th>${esc(l10n.t('Last LSN'))}</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
      : `<p class="sub">${esc(l10n.t('None yet.'))}</p>`,
  ].join('\n');
}
