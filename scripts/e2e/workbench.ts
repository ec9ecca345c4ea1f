/** Driving VS Code's workbench in the browser: the command palette, quick inputs, webviews, notifications. */
import type { Frame, Locator, Page } from 'playwright-core';

export const QUICK_INPUT = '.quick-input-widget';

/** Waits until `check` returns a value (not undefined/false), polling; fails with `what` after `timeoutMs`. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs a command by its palette title, e.g. "Azure SQL Migration: Scan Backup Folder...". */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Escape');
  await page.locator('.monaco-workbench').click({ position: { x: 5, y: 5 }, force: true }).catch(() => undefined);
  await page.keyboard.press('F1');
  const input = page.locator(`${QUICK_INPUT} input`);
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  // The row whose label is exactly the title: a fuzzy match (recently used first) could run another command.
  const exact = new RegExp(`^\\s*${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  const row = page.locator(`${QUICK_INPUT} .monaco-list-row`).filter({ has: page.locator('.label-name', { hasText: exact }) }).first();
  if (await row.waitFor({ state: 'visible', timeout: 10_000 }).then(() => true, () => false)) {
    await row.click();
    return;
  }
  await page.locator(`${QUICK_INPUT} .monaco-list-row`, { hasText: title.split(': ').pop()! }).first().waitFor({ state: 'visible' });
  await input.press('Enter');
}

/**
 * Answers VS Code's own (simple) open dialog with a path. The dialog first shows the palette
 * text it was opened from, then its default folder; typing before that is overwritten.
 * Enter on a folder opens it (the value gains a trailing slash); Enter again accepts it.
 */
export async function answerOpenDialog(page: Page, path: string): Promise<void> {
  const widget = page.locator(QUICK_INPUT);
  const input = page.locator(`${QUICK_INPUT} input`);
  await input.waitFor({ state: 'visible' });
  await until('the open dialog to show its default folder', async () => {
    const v = await input.inputValue();
    return v.startsWith('/') && !v.startsWith('>');
  });
  await until(`the open dialog to take ${path}`, async () => {
    if ((await input.inputValue()) !== path) await input.fill(path);
    await new Promise((r) => setTimeout(r, 150));
    return (await input.inputValue()) === path;
  });
  await input.press('Enter');
  await until('the open dialog to accept the path', async () => {
    if (!(await widget.isVisible())) return true;
    if ((await input.inputValue()) === `${path}/`) await input.press('Enter');
    return false;
  });
}

/** The innermost frame of a webview whose document contains `selector`. */
export async function webviewFrame(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  return until(`a webview showing ${selector}`, async () => {
    for (const f of page.frames()) {
      if (f === page.mainFrame()) continue;
      if (await f.$(selector).catch(() => null)) return f;
    }
    return undefined;
  }, timeoutMs);
}

/** Texts of the error notifications currently shown (toasts and the notification center). */
export async function errorNotifications(page: Page): Promise<string[]> {
  return page.$$eval('.notification-list-item', (items) =>
    items
      .filter((i) => i.querySelector('.codicon-error, .codicon-notifications-error'))
      .map((i) => (i.querySelector('.notification-list-item-message') ?? i).textContent ?? ''),
  );
}

/** Types into a vscode-textfield (its input lives in the shadow DOM) and leaves it, so it reports the change. */
export async function typeInto(frame: Frame, selector: string, text: string): Promise<void> {
  const input = frame.locator(`${selector} input`);
  await input.fill(text);
  await input.press('Tab');
}

/** Picks an option of a vscode-single-select by its visible text, as a user does: open, click. */
export async function choose(frame: Frame, selector: string, optionText: string): Promise<void> {
  await until(`${selector} to offer ${optionText}`, async () => {
    await frame.locator(`${selector} .select-face`).click();
    const option = frame.locator(`${selector} li[role="option"]`, { hasText: optionText }).first();
    if (!(await option.isVisible().catch(() => false))) {
      await frame.locator(`${selector} .select-face`).click().catch(() => undefined); // close it again
      return false;
    }
    await option.click();
    return true;
  });
}

/** The Migrations tree's rows (label and description), as shown. */
export async function treeRows(page: Page): Promise<string[]> {
  return page.$$eval('.part.sidebar .monaco-list-row', (rows) => rows.map((r) => (r.textContent ?? '').replace(/\s+/g, ' ').trim()));
}

/** Shows a view container from the activity bar (a click on the one already shown would hide it). */
export async function showContainer(page: Page, label: string): Promise<void> {
  const active = page.locator(`.activitybar .action-item.checked a.action-label[aria-label="${label}"]`);
  if ((await active.count()) === 0) await page.locator(`.activitybar a.action-label[aria-label="${label}"]`).click();
  await active.waitFor();
}

/** What the quick input shown asks: an input box's prompt and a quick pick's placeholder ('' when none is shown). */
export async function quickInputPrompt(page: Page): Promise<string> {
  const widget = page.locator(QUICK_INPUT);
  if (!(await widget.isVisible())) return '';
  const message = await widget.locator('.quick-input-message').innerText().catch(() => '');
  const placeholder = (await widget.locator('input').getAttribute('placeholder').catch(() => null)) ?? '';
  return `${message}\n${placeholder}`;
}

/** Waits for the quick input that asks `prompt`, fills in `value` (when given) and accepts it (Enter). */
export async function answerQuickInput(page: Page, prompt: RegExp, value?: string, timeoutMs = 60_000): Promise<void> {
  await until(`the prompt ${prompt}`, async () => prompt.test(await quickInputPrompt(page)), timeoutMs);
  const input = page.locator(`${QUICK_INPUT} input`);
  if (value !== undefined) await input.fill(value);
  await input.press('Enter');
}

/**
 * Right-clicks `target` and picks `label` in its context menu (`whileOpen` runs with the item
 * hovered: a screenshot). The workbench ignores a mouse-up just after a menu opens (the
 * right-click's own): a moment, then the click; a menu still open (the click was taken for the
 * right-click's release) gets Enter on the hovered item.
 */
export async function pickFromContextMenu(page: Page, target: Locator, label: string, whileOpen?: () => Promise<unknown>): Promise<void> {
  await target.click({ button: 'right' });
  const item = page.locator('.context-view .action-label', { hasText: label });
  await item.waitFor();
  await new Promise((r) => setTimeout(r, 500));
  await item.hover();
  await whileOpen?.();
  await item.click();
  await new Promise((r) => setTimeout(r, 500));
  if (await item.isVisible().catch(() => false)) await page.keyboard.press('Enter');
}

/** A row of the quick pick shown whose label is exactly `label`. */
export function quickPickRow(page: Page, label: string) {
  const exact = new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  return page.locator(`${QUICK_INPUT} .monaco-list-row`).filter({ has: page.locator('.label-name', { hasText: exact }) }).first();
}

/** Whether a row of a many-pick quick pick is checked (the row's own state, else its checkbox's). */
export async function quickPickChecked(row: ReturnType<typeof quickPickRow>): Promise<boolean> {
  const own = await row.getAttribute('aria-checked');
  if (own !== null) return own === 'true';
  return (await row.locator('[role="checkbox"]').first().getAttribute('aria-checked')) === 'true';
}
