/** What the status bar item says: migrations running, ready for cutover and failed (the view's headings). */
import * as l10n from '@vscode/l10n';
import type { DatabaseMigrationJson } from './dmsShape';
import { groupOf, statusOf } from './statusRules';

export interface StatusCounts {
  ready: number;
  running: number;
  failed: number;
}

/** `restores`: Log Replay Service restores (their status is already the core's word). */
export function statusCounts(migrations: readonly DatabaseMigrationJson[], restores: readonly { status: string }[] = []): StatusCounts {
  return countStatuses([...migrations.map(statusOf), ...restores.map((r) => r.status)]);
}

/** The counts of statuses already read (the view's rows know theirs). */
export function countStatuses(statuses: Iterable<string>): StatusCounts {
  const c: StatusCounts = { ready: 0, running: 0, failed: 0 };
  for (const status of statuses) {
    const g = groupOf(status);
    if (g === 'ready') c.ready++;
    else if (g === 'inProgress' || g === 'completing') c.running++;
    else if (g === 'failed') c.failed++;
  }
  return c;
}

export interface StatusBarContent {
  /**
   * Codicons and counts, e.g. `$(sync) 2  $(bell-dot) 1`. Nothing turns: migrations run for hours
   * or days, and an animated item would keep the editor's window busy all that time.
   */
  text: string;
  tooltip: string;
  /** A click completes a cutover when one is ready, otherwise opens the view. */
  opensCutover: boolean;
  failed: boolean;
}

/** Undefined when nothing is running, ready or failed: the item hides. */
export function statusBarContent(c: StatusCounts): StatusBarContent | undefined {
  if (c.ready + c.running + c.failed === 0) return undefined;
  return {
    text: [c.running ? `$(sync) ${c.running}` : '', c.ready ? `$(bell-dot) ${c.ready}` : '', c.failed ? `$(error) ${c.failed}` : ''].filter(Boolean).join('  '),
    tooltip: [
      l10n.t('Azure SQL Migration'),
      c.running ? l10n.t('{0} in progress', c.running) : '',
      c.ready ? l10n.t('{0} ready for cutover', c.ready) : '',
      c.failed ? l10n.t('{0} failed', c.failed) : '',
    ].filter(Boolean).join('\n'),
    opensCutover: c.ready > 0,
    failed: c.failed > 0,
  };
}
