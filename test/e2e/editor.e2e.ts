/**
 * The extension in a real VS Code (code-server) in a real browser (Chromium): open the Azure
 * SQL Migration view, scan a backup folder from the command palette, and walk the wizard as
 * far as this build goes without the Azure core: choose a sandbox cloud file, sign in, see
 * the next steps say what is not available, go back, close, reopen and resume.
 * A screenshot per step goes to test/e2e/out/. Any error notification, any CSP violation in a
 * webview, or any connection off this machine fails the run.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { ensureTools, packageVsix, ROOT, startCodeServer, type CodeServer } from '../../scripts/e2e/codeServer';
import { sampleChain, writeChain } from '../../sandbox/backups/sampleChain';
import { answerOpenDialog, errorNotifications, runCommand, until, webviewFrame } from './workbench';
import { detailsScreenshot, openHarness, scriptedStates } from './harness';

const OUT = join(ROOT, 'test/e2e/out');
let work: string;
let workspace: string;
let cloudFilePath: string;
let token: string;
let server: CodeServer | undefined;
let browser: Browser | undefined;
let page: Page;
const consoleProblems: string[] = [];
const consoleLog: string[] = [];
// Interrupted (Ctrl+C, a CI timeout): exit through 'exit' so code-server's group is ended too.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
let shots = 0;
/** The real editor's theme, as the wizard webview received it (for the harness). */
let theme: { htmlStyle: string; bodyClass: string } | undefined;

async function shot(name: string): Promise<void> {
  const file = join(OUT, `${String(++shots).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
}

async function noErrors(): Promise<void> {
  const errors = await errorNotifications(page);
  assert.deepEqual(errors, [], `error notifications: ${errors.join(' | ')}`);
  assert.deepEqual(consoleProblems, [], `webview console problems: ${consoleProblems.join(' | ')}`);
}

before(async () => {
  mkdirSync(OUT, { recursive: true });
  work = mkdtempSync(join(tmpdir(), 'sqlmig-e2e-'));
  workspace = join(work, 'workspace');
  // Backups for the scan: Sales and HR ready, Inventory with a missing log backup.
  await writeChain(join(workspace, 'backups', 'Sales'), sampleChain({ databaseName: 'Sales', logs: 3, differentialAfterLog: 1 }));
  await writeChain(join(workspace, 'backups', 'HR'), sampleChain({ databaseName: 'HR', logs: 2, stripes: 2 }));
  const inventory = sampleChain({ databaseName: 'Inventory', logs: 3 }).filter((f) => !f.fileName.endsWith('LOG_002.trn'));
  await writeChain(join(workspace, 'backups', 'Inventory'), inventory);
  // A sandbox-style cloud file: loopback ARM endpoint (nothing listens there) and a throwaway token.
  token = randomBytes(24).toString('base64url');
  cloudFilePath = join(workspace, 'sandbox.cloud.json');
  writeFileSync(cloudFilePath, JSON.stringify({ name: 'sandbox', displayName: 'Local sandbox', armEndpoint: 'http://127.0.0.1:9', accessToken: token }, null, 2));

  const tools = ensureTools();
  const vsix = packageVsix(join(work, 'azure-sql-migration.vsix'));
  server = await startCodeServer({ tools, vsix, dataDir: join(work, 'code-server'), workspace, audit: process.env.SQLMIG_E2E_NO_AUDIT !== '1' });
  browser = await chromium.launch({
    executablePath: tools.chromium,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('console', (m) => {
    const text = m.text();
    consoleLog.push(`${m.type()}: ${text}`);
    // Our webviews must not trip their Content-Security-Policy, nor log errors of their own.
    if (/Content Security Policy|Refused to/i.test(text) && !/gallery|extensionquery/i.test(text)) consoleProblems.push(text);
    if (m.type() === 'error' && /wizard:/.test(text)) consoleProblems.push(text);
  });
  await page.goto(`${server.url}?folder=${encodeURIComponent(workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.activitybar a.action-label[aria-label="Azure SQL Migration"]').waitFor({ timeout: 60_000 });
});

after(async () => {
  if (page && !page.isClosed()) await shot('final').catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await server?.stop();
  // For a failed run: what the server and the browser said.
  writeFileSync(join(OUT, 'code-server.log'), server?.output() ?? '');
  writeFileSync(join(OUT, 'browser-console.log'), consoleLog.join('\n'));
  const outbound = server?.outboundConnections() ?? [];
  rmSync(work, { recursive: true, force: true });
  assert.deepEqual(outbound, [], `code-server connected off this machine:\n${outbound.join('\n')}`);
});

test('the Azure SQL Migration view opens with its welcome actions', async () => {
  await page.locator('.activitybar a.action-label[aria-label="Azure SQL Migration"]').click();
  const welcome = page.locator('.welcome-view-content');
  await welcome.getByText('Move SQL Server databases to Azure SQL Managed Instance').waitFor();
  for (const button of ['Migrate to Azure SQL', 'Scan a Backup Folder', 'Open the Sandbox Guide']) {
    await welcome.getByRole('button', { name: button }).waitFor();
  }
  await welcome.getByText('Listing migrations needs the Azure connection').waitFor();
  await shot('migrations-view');
  await welcome.getByRole('button', { name: 'Open the Sandbox Guide' }).click();
  await webviewFrame(page, 'h1:text("The local sandbox")');
  await shot('sandbox-guide');
  await runCommand(page, 'View: Close All Editors');
  await noErrors();
});

test('Scan Backup Folder... from the command palette shows each database’s restore chain', async () => {
  await runCommand(page, 'Azure SQL Migration: Scan Backup Folder...');
  await answerOpenDialog(page, join(workspace, 'backups'));
  const editor = page.locator('.editor-instance .view-lines');
  await until('the scan report', async () => /Sales/.test(await editor.innerText()) && /Inventory/.test(await editor.innerText()), 60_000);
  const text = await editor.innerText();
  assert.match(text, /Sales/);
  assert.match(text, /Inventory/);
  assert.match(text, /HR/);
  await shot('scan-report');
  await noErrors();
});

async function wizard(): Promise<Frame> {
  return webviewFrame(page, '#app .wizard');
}

async function stepOf(f: Frame): Promise<string | null> {
  return f.locator('.wizard').getAttribute('data-step');
}

test('the wizard: cloud and sign-in, the steps that need Azure say so, Back keeps answers', async () => {
  await runCommand(page, 'Azure SQL Migration: Migrate to Azure SQL...');
  let f = await wizard();
  await f.locator('#step-title').getByText('Azure account').waitFor();
  theme = { htmlStyle: (await f.locator('html').getAttribute('style')) ?? '', bodyClass: (await f.locator('body').getAttribute('class')) ?? '' };
  assert.equal(await f.locator('#primary').getAttribute('disabled'), '');
  await until('focus on the step heading', async () => (await f.locator('#step-title').evaluate((e) => e.ownerDocument.activeElement === e)));
  await shot('wizard-1-account');

  await f.locator('vscode-radio[value="custom"]').click();
  await f.locator('#choose-cloud-file').click();
  await answerOpenDialog(page, cloudFilePath);
  f = await wizard();
  await f.getByText(cloudFilePath).waitFor();
  await f.locator('#sign-in').click();
  await f.locator('#signed-in').getByText('Local sandbox (token from its cloud file)').waitFor();
  await until('Next to be enabled', async () => (await f.locator('#primary').getAttribute('disabled')) === null);
  await shot('wizard-1-account-signed-in');

  // Keyboard: Next is reachable and works from the keyboard.
  await f.locator('#primary').focus();
  await page.keyboard.press('Enter');
  await until('the source step', async () => (await stepOf(f)) === 'source');
  await f.locator('.banner').getByText('Not available in this build').waitFor();
  await f.locator('.issues').getByText('needs the SQL Server connection').waitFor();
  assert.equal(await f.locator('#primary').getAttribute('disabled'), '');
  await shot('wizard-2-source-not-available');

  await f.locator('vscode-button', { hasText: 'Back' }).click();
  await until('the account step', async () => (await stepOf(f)) === 'account');
  await f.locator('#signed-in').waitFor();
  assert.equal(await f.locator('vscode-radio[value="custom"]').getAttribute('checked'), '');
  await noErrors();
});

test('closing and reopening the wizard resumes it, with no secret in its saved state', async () => {
  let f = await wizard();
  await f.locator('#primary').click();
  await until('the source step', async () => (await stepOf(f)) === 'source');
  await runCommand(page, 'View: Close Editor');
  await until('the wizard to close', async () => {
    for (const fr of page.frames()) if (await fr.$('#app .wizard').catch(() => null)) return false;
    return true;
  });
  await runCommand(page, 'Azure SQL Migration: Migrate to Azure SQL...');
  f = await wizard();
  await until('the resumed source step', async () => (await stepOf(f)) === 'source');
  await f.locator('.steps li.visited').first().waitFor();
  await shot('wizard-2-resumed');
  // The cloud file's token is never shown in the webview.
  assert.ok(!(await f.content()).includes(token));
  await noErrors();
});

test('the later wizard steps as they render (scripted services; the Azure core joins later)', async () => {
  assert.ok(theme, 'the editor theme was captured');
  const states = await scriptedStates(join(workspace, 'backups'));
  const harness = await openHarness(browser!, theme);
  for (const [step, state] of states) {
    await harness.show(state);
    await harness.page.screenshot({ path: join(OUT, `${String(++shots).padStart(2, '0')}-harness-${step}.png`), fullPage: true });
  }
  // The backups step shows the real chain checks: Sales ready, HR pointed at Inventory's folder.
  await harness.show(states.get('backups')!);
  const sales = harness.page.locator('.card[data-database="Sales"] .check');
  await sales.getByText('Ready to restore').waitFor();
  const hr = harness.page.locator('.card[data-database="HR"] .check');
  await hr.getByText('No backups of HR in this folder').waitFor();
  // Intents go to the host in their validated shape.
  await harness.page.locator('.card[data-database="HR"] .check-button').click();
  await harness.page.locator('#primary').click({ force: true }); // disabled: nothing is sent
  const sent = await harness.sent();
  assert.deepEqual(sent.filter((m) => (m as { type: string }).type !== 'ready'), [{ type: 'backups.check', source: 'HR' }]);
  assert.deepEqual(harness.errors, []);
  await harness.page.close();
  await detailsScreenshot(browser!, theme, join(OUT, `${String(++shots).padStart(2, '0')}-harness-details-timeline.png`));
  await noErrors();
});
