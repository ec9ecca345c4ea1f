/**
 * What the webview keeps of its own: how the user looks at the state, never an answer (filters,
 * how many cards are shown, where a list is scrolled). Lost when the webview reloads, which is
 * fine: the host has every answer. A change asks for a render on the next frame.
 */

export type ResultFilter = 'any' | 'ready' | 'issues' | 'blocked' | 'none';
export type BackupsFilter = 'all' | 'problems' | 'ok';

export const ui = {
  /** The source step's table: name filter, state, assessment result. */
  dbFilter: '',
  dbState: 'any',
  dbResult: 'any' as ResultFilter,
  /** Findings shown in the assessment panel (the rest behind "Show more"). */
  findingsShown: 50,
  /** The backups step: name filter, which cards, how many. */
  backupsFilter: '',
  backupsShow: 'all' as BackupsFilter,
  backupsShown: 20,
  /** Bulk fields of the backups step. */
  shareRoot: '',
  oneContainer: '',
  /** Scroll offsets of the virtual lists, by id. */
  scroll: {} as Record<string, number>,
  /** A row to bring into view after the next render: list id and index. */
  reveal: undefined as { list: string; index: number; database: string } | undefined,
};

let request: (() => void) | undefined;

/** Called by main.ts: how a render is asked for. */
export function onInvalidate(fn: () => void): void {
  request = fn;
}

/** Something the webview shows changed: render on the next frame (many changes, one render). */
export function invalidate(): void {
  request?.();
}
