/** The pieces every step's page is built from: labelled fields, pickers, the op line, the "not in this build" banner. */
import * as l10n from '@vscode/l10n';
import { html, noChange, nothing, type TemplateResult } from 'lit';
import { Directive, directive, type AttributePart } from 'lit/directive.js';
import { repeat } from 'lit/directives/repeat.js';
import type { CapabilityName, Op, WizardState } from '../../../protocol/wizard';
import { invalidate, ui } from './ui';

/** A step's page: its title (in the step list and the heading) and its body. */
export interface StepView {
  title(): string;
  render(s: WizardState): TemplateResult;
}

// vscode-elements' controls are not typed as inputs; their events carry the value on the target.
export const inputValue = (e: Event) => (e.target as unknown as { value: string }).value;
export const isChecked = (e: Event) => (e.target as unknown as { checked: boolean }).checked;

/** The slice's operation is running: its buttons wait. */
export const isBusy = (slice: { op: Op }) => slice.op.status === 'busy';

export function field(id: string, label: string, control: TemplateResult, help?: string, wide = false): TemplateResult {
  return html`<div class=${wide ? 'field wide' : 'field'}>
    <vscode-label for=${id}>${label}</vscode-label>
    ${control}
    ${help ? html`<p class="help">${help}</p>` : nothing}
  </div>`;
}

/** A drop-down of resources by id, its first (empty) choice saying whether there is anything to choose. */
export function picker<T extends { id: string }>(o: {
  id: string;
  chosen: string | undefined;
  items: T[];
  disabled: boolean;
  choose: string;
  none: string;
  label: (item: T) => string;
  description?: (item: T) => string;
  onPick: (id: string) => void;
}): TemplateResult {
  return html`<vscode-single-select id=${o.id} .value=${o.chosen ?? ''} ?disabled=${o.disabled}
    @change=${(e: Event) => inputValue(e) && o.onPick(inputValue(e))}>
      <vscode-option value="">${o.items.length ? o.choose : o.none}</vscode-option>
      ${o.items.map((item) => html`<vscode-option value=${item.id} description=${o.description?.(item) ?? nothing}>${o.label(item)}</vscode-option>`)}
    </vscode-single-select>`;
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

/** Something on the page that stops the migration, said where the user looks (not an operation's result). */
export function warningLine(text: string): TemplateResult {
  return html`<p class="op error" role="alert"><vscode-icon name="warning"></vscode-icon><span>${text}</span></p>`;
}

export function opLine(op: Op): TemplateResult | typeof nothing {
  switch (op.status) {
    case 'busy':
      // A turning icon (a transform: the compositor draws it), not a ring whose stroke is repainted every frame.
      return html`<p class="op busy" role="status"><vscode-icon name="loading" spin></vscode-icon><span>${op.message ?? l10n.t('Working...')}</span></p>`;
    case 'error':
      return html`<p class="op error" role="alert"><vscode-icon name="error"></vscode-icon><span>${op.message}</span></p>`;
    case 'done':
      return op.message ? html`<p class="op done" role="status"><vscode-icon name="pass"></vscode-icon><span>${op.message}</span></p>` : nothing;
    default:
      return nothing;
  }
}

/**
 * Sets style properties through the CSSOM, never as a style attribute: the webview's CSP has no
 * 'unsafe-inline', so the browser refuses a style attribute (lit's styleMap writes one on its
 * first render).
 */
class CssomStyle extends Directive {
  render(_styles: Record<string, string>): unknown {
    return noChange;
  }
  override update(part: AttributePart, [styles]: [Record<string, string>]): unknown {
    for (const [name, value] of Object.entries(styles)) part.element.style.setProperty(name, value);
    return noChange;
  }
}
const cssom = directive(CssomStyle);

/** A list rendered a screenful at a time: only the rows in view (and a few around) exist. */
export interface VirtualList<T> {
  /** The scroll container's id (its offset is kept in `ui.scroll`). */
  id: string;
  items: readonly T[];
  /** Every row is this tall (px): the CSS of the list's rows says the same. */
  rowHeight: number;
  /** The most the list takes on the page (px); a shorter list takes its own height. */
  height: number;
  columns: number;
  key: (item: T) => string;
  /** One <tr> of `rowHeight`; keep it a function of its inputs (guard) so unchanged rows are not rebuilt. */
  row: (item: T, index: number) => unknown;
}

/** Rows kept beyond each edge of the view, so a scroll shows rows at once; each one costs every render that changes all rows (select all). */
const OVERSCAN = 4;

/** A table body of only the rows in view, with spacers for the rest; wrap it with `virtualScroller`. */
export function virtualBody<T>(o: VirtualList<T>): TemplateResult {
  const top = ui.scroll[o.id] ?? 0;
  const first = Math.max(0, Math.floor(top / o.rowHeight) - OVERSCAN);
  const count = Math.ceil(o.height / o.rowHeight) + 2 * OVERSCAN;
  const last = Math.min(o.items.length, first + count);
  const before = first * o.rowHeight;
  const after = (o.items.length - last) * o.rowHeight;
  const shown = o.items.slice(first, last);
  return html`<tbody>
    ${before ? html`<tr class="spacer" aria-hidden="true" style=${cssom({ height: `${before}px` })}><td colspan=${o.columns}></td></tr>` : nothing}
    ${repeat(shown, (item) => o.key(item), (item, i) => o.row(item, first + i))}
    ${after ? html`<tr class="spacer" aria-hidden="true" style=${cssom({ height: `${after}px` })}><td colspan=${o.columns}></td></tr>` : nothing}
  </tbody>`;
}

/** The scroll container of a virtual list: it re-renders (once a frame) as it scrolls. */
export function virtualScroller<T>(o: VirtualList<T>, table: TemplateResult): TemplateResult {
  return html`<div class="vscroll" id=${o.id} data-row-height=${o.rowHeight} style=${cssom({ 'max-height': `${o.height}px` })}
    @scroll=${(e: Event) => {
      ui.scroll[o.id] = (e.target as HTMLElement).scrollTop;
      invalidate();
    }}>${table}</div>`;
}

/** Back to the top of a virtual list (its rows changed under it: a filter). */
export function resetScroll(id: string): void {
  ui.scroll[id] = 0;
  const el = document.getElementById(id);
  if (el) el.scrollTop = 0;
}

/** A thousands-separated count for people (one formatter: toLocaleString builds one per call, and a render formats dozens). */
export const count = new Intl.NumberFormat().format;
