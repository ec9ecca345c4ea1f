/**
 * The extension in a real VS Code (code-server) in a real browser (Chromium), against the
 * sandbox this test starts: open the Azure SQL Migration view, scan a backup folder, then walk
 * the wizard from the command palette through every step — the sandbox cloud file, the source
 * SQL Server stand-in and its assessment, the target instance, an online migration from a local
 * folder holding a real backup chain without its last log backup, the migration service with
 * its keys and runtime node, the summary — and start. The tree shows the files become
 * Restored; the last log backup lands in the folder and is uploaded; Complete Cutover from the
 * palette, confirmed, ends in Succeeded. "Logins, TDE Certificates and Server Objects..." on the
 * migration's context menu, answered and applied, creates the logins chosen on the sandbox's
 * instance (read back over TDS), and no password reaches the editor's logs.
 * A screenshot per step goes to test/e2e/out/. Any error notification, any CSP violation in a
 * webview, or any connection off this machine fails the run.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { ensureTools, packageMssqlStandIn, packageVsix, ROOT, startCodeServer, type CodeServer } from '../../scripts/e2e/codeServer';
import { DATABASE, migrationFolder, mssqlSettings, SAVED, sandboxSettings, startEditorSandbox, type MigrationFolder } from '../../scripts/e2e/editorSandbox';
import { sampleChain, writeChain } from '../../sandbox/backups/sampleChain';
import type { Sandbox } from '../../sandbox/sandbox';
import { loadCloudFile } from '../../src/core/azure/cloud';
import { staticTokenCredential } from '../../src/core/azure/pipeline';
import { readTargetPrincipals } from '../../src/core/serverObjects';
import type { SignedInAccount } from '../../src/extension/services/types';
import { connectInstance, targetAddress } from '../../src/extension/services/validation';
import { answerOpenDialog, answerQuickInput, choose, errorNotifications, pickFromContextMenu, quickInputPrompt, quickPickChecked, quickPickRow, showContainer, QUICK_INPUT, runCommand, treeRows, typeInto, until, webviewFrame } from './workbench';

const OUT = join(ROOT, 'test/e2e/out');
let work: string;
let workspace: string;
let sb: Sandbox;
let chain: MigrationFolder;
let server: CodeServer | undefined;
let browser: Browser | undefined;
let page: Page;
const consoleProblems: string[] = [];
const consoleLog: string[] = [];
// Interrupted (Ctrl+C, a CI timeout): exit through 'exit' so code-server's group is ended too.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
let shots = 0;

const nameOf = (armId: string) => armId.slice(armId.lastIndexOf('/') + 1);

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
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  work = mkdtempSync(join(tmpdir(), 'sqlmig-e2e-'));
  workspace = join(work, 'workspace');
  chain = await migrationFolder(join(workspace, 'migrate'));
  console.log(chain.real ? `e2e: migrating a copy of the real ${DATABASE} backups` : `e2e: the real backups are absent: migrating a synthetic ${DATABASE} chain instead`);
  // Backups for the scan: Sales and HR ready, Inventory with a missing log backup.
  await writeChain(join(workspace, 'scan', 'Sales'), sampleChain({ databaseName: 'Sales', logs: 3, differentialAfterLog: 1 }));
  await writeChain(join(workspace, 'scan', 'HR'), sampleChain({ databaseName: 'HR', logs: 2, stripes: 2 }));
  await writeChain(join(workspace, 'scan', 'Inventory'), sampleChain({ databaseName: 'Inventory', logs: 3 }).filter((f) => !f.fileName.endsWith('LOG_002.trn')));

  // A fast simulated clock: restores and the cutover take seconds, not minutes.
  sb = await startEditorSandbox({ clockSpeed: 20, timings: { scanIntervalSeconds: 10 } });
  const tools = ensureTools();
  const vsix = packageVsix(join(work, 'azure-sql-migration.vsix'));
  // The MSSQL extension's stand-in (same id and API surface) with saved connections in the user settings.
  const standIn = packageMssqlStandIn(join(work, 'mssql-stand-in.vsix'));
  server = await startCodeServer({ tools, vsix, extensions: [standIn], dataDir: join(work, 'code-server'), workspace, settings: { ...sandboxSettings(sb), ...mssqlSettings(sb) }, audit: process.env.SQLMIG_E2E_NO_AUDIT !== '1' });
  browser = await chromium.launch({
    executablePath: tools.chromium,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  // Copying an authentication key writes the clipboard.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  page = await context.newPage();
  page.on('console', (m) => {
    const text = m.text();
    consoleLog.push(`${m.type()}: ${text}`);
    // Our webviews must not trip their Content-Security-Policy, nor log errors of their own.
    if (/Content Security Policy|Refused to/i.test(text) && !/gallery|extensionquery/i.test(text)) consoleProblems.push(text);
    if (m.type() === 'error' && /wizard:/.test(text)) consoleProblems.push(text);
  });
  await openWorkbench();
});

async function openWorkbench(): Promise<void> {
  await page.goto(`${server!.url}?folder=${encodeURIComponent(workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.activitybar a.action-label[aria-label="Azure SQL Migration"]').waitFor({ timeout: 60_000 });
}

after(async () => {
  if (page && !page.isClosed()) await shot('final').catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await server?.stop();
  await sb?.stop();
  // For a failed run: what the server and the browser said.
  writeFileSync(join(OUT, 'code-server.log'), server?.output() ?? '');
  writeFileSync(join(OUT, 'browser-console.log'), consoleLog.join('\n'));
  const outbound = server?.outboundConnections() ?? [];
  rmSync(work, { recursive: true, force: true });
  assert.deepEqual(outbound, [], `code-server connected off this machine:\n${outbound.join('\n')}`);
});

test('the Azure SQL Migration view opens, signed in to the sandbox, with its welcome actions', async () => {
  await showContainer(page, 'Azure SQL Migration');
  const welcome = page.locator('.welcome-view-content');
  // The sandbox has no migration yet: the welcome view shows once the first (silent) poll is done.
  await welcome.getByText('Move SQL Server databases to Azure SQL Managed Instance').waitFor({ timeout: 60_000 });
  for (const button of ['Migrate to Azure SQL', 'Scan a Backup Folder', 'Open the Sandbox Guide']) {
    await welcome.getByRole('button', { name: button }).waitFor();
  }
  await shot('migrations-view');
  await welcome.getByRole('button', { name: 'Open the Sandbox Guide' }).click();
  await webviewFrame(page, 'h1:text("The local sandbox")');
  await shot('sandbox-guide');
  await runCommand(page, 'View: Close All Editors');
  await noErrors();
});

test('Scan Backup Folder... shows each database’s restore chain, read-only', async () => {
  await runCommand(page, 'Azure SQL Migration: Scan Backup Folder...');
  await answerOpenDialog(page, join(workspace, 'scan'));
  const editor = page.locator('.editor-instance .view-lines');
  await until('the scan report', async () => /Sales/.test(await editor.innerText()) && /Inventory/.test(await editor.innerText()), 60_000);
  assert.match(await editor.innerText(), /HR/);
  // A document of its own, not an unsaved Untitled one: nothing to save when it closes.
  await page.locator('.tab', { hasText: 'Scan of scan.txt' }).waitFor();
  assert.equal(await page.locator('.tab', { hasText: 'Untitled' }).count(), 0);
  await shot('scan-report');
  await runCommand(page, 'View: Close All Editors');
  await until('the report to close without a save prompt', async () => (await page.locator('.tab').count()) === 0);
  await noErrors();
});

async function wizard(): Promise<Frame> {
  return webviewFrame(page, '#app .wizard', 60_000);
}

async function onStep(f: Frame, step: string): Promise<void> {
  await until(`the ${step} step`, async () => (await f.locator('.wizard').getAttribute('data-step')) === step, 60_000);
}

async function next(f: Frame, toStep: string): Promise<void> {
  await until('Next to be enabled', async () => (await f.locator('#primary').getAttribute('disabled')) === null, 60_000);
  await f.locator('#primary').click();
  await onStep(f, toStep);
}

async function issues(f: Frame): Promise<string> {
  return f.locator('.issues').innerText();
}

test('the wizard, step by step against the sandbox, starts an online migration from a local folder', async () => {
  const src = sb.info.sourceServer!;
  await runCommand(page, 'Azure SQL Migration: Migrate to Azure SQL...');
  let f = await wizard();
  await f.locator('#step-title').getByText('Azure account').waitFor();
  assert.equal(await f.locator('vscode-radio[value="custom"]').getAttribute('checked'), '', 'the sandbox cloud from the settings is chosen');
  await f.locator('#sign-in').click();
  await f.locator('#signed-in').getByText('token from its cloud file').waitFor();
  await shot('wizard-1-account');
  // Keyboard: Next is reachable and works from the keyboard.
  await until('Next to be enabled', async () => (await f.locator('#primary').getAttribute('disabled')) === null);
  await f.locator('#primary').focus();
  await page.keyboard.press('Enter');
  await onStep(f, 'source');

  // Source: a wrong password first, then the right one.
  await typeInto(f, '#server', `${src.host},${src.port}`);
  await typeInto(f, '#user', src.user);
  await typeInto(f, '#password', 'not-the-password');
  await f.locator('#trust').click();
  await f.locator('#connect').click();
  await f.locator('.op.error').getByText(/Login failed|password/i).waitFor({ timeout: 60_000 });
  await shot('wizard-2-source-login-failed');
  await typeInto(f, '#password', src.password);
  await f.locator('#connect').click();
  await f.locator('#connected').waitFor({ timeout: 60_000 });
  const row = (db: string) => f.locator(`#databases tr[data-database="${db}"]`);
  await row(DATABASE).waitFor();

  // Assess everything: the blocked databases leave the selection and cannot be chosen.
  await f.locator('#databases thead vscode-checkbox').click();
  await until('every database selected', async () => /of \d+ databases selected/.test(await f.locator('#databases caption').innerText()) && (await issues(f)).includes('Run the assessment'));
  await f.locator('#assess').click();
  await f.locator('#open-report').waitFor({ timeout: 120_000 });
  await row(DATABASE).locator('.readiness').waitFor();
  assert.ok((await f.locator('#databases tr.blocked').count()) > 0, 'the default profile blocks some databases');
  assert.equal(await f.locator('#databases tr.blocked vscode-checkbox').first().getAttribute('disabled'), '');
  await shot('wizard-2-source-assessed');
  await f.locator('#open-report').click();
  await webviewFrame(page, 'h1:text("Azure SQL Managed Instance")', 60_000);
  await shot('assessment-report');
  await runCommand(page, 'View: Close Editor');
  f = await wizard();
  // Only the database to migrate.
  await f.locator('#databases thead vscode-checkbox').click();
  await until('nothing selected', async () => (await f.locator('#databases caption').innerText()).startsWith('0 of'));
  await row(DATABASE).locator('vscode-checkbox').click();
  await until('one database selected', async () => (await f.locator('#databases caption').innerText()).startsWith('1 of'));

  // Reload the window: the wizard comes back on its own, without the password (never saved).
  await runCommand(page, 'Developer: Reload Window');
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  f = await wizard();
  await onStep(f, 'source');
  await until('the password asked for again', async () => (await issues(f)).includes('Enter the password'));
  assert.ok(!(await f.content()).includes(src.password));
  await shot('wizard-2-source-after-reload');
  await typeInto(f, '#password', src.password);
  await next(f, 'target');

  // Target: the sandbox's subscription is the only one (chosen), then its instance.
  await until('the subscription', async () => (await f.locator('#subscription .select-face').innerText()).length > 0, 60_000);
  await choose(f, '#instance', nameOf(sb.info.managedInstanceId));
  await shot('wizard-3-target');
  await next(f, 'serverObjects');

  // Server objects (optional): the assessment's findings may preselect some; this run moves only the databases.
  await shot('wizard-3b-server-objects');
  await f.locator('#so-skip').click();
  await onStep(f, 'backups');

  // Online, from a folder on this machine, uploaded by the extension.
  assert.equal(await f.locator('vscode-radio[value="online"]').getAttribute('checked'), '');
  assert.equal(await f.locator('vscode-radio[value="upload"]').getAttribute('checked'), '');
  await choose(f, '#storage', nameOf(sb.info.storageAccountId));
  await typeInto(f, `#folder-${DATABASE}`, chain.folder);
  await f.locator(`.card[data-database="${DATABASE}"] .check-button`).click();
  await f.locator(`.card[data-database="${DATABASE}"] .check`).getByText('Ready to restore').waitFor({ timeout: 60_000 });
  await shot('wizard-4-backups');
  await next(f, 'service');

  // The migration service: keys (copied, never shown), the runtime node once it registers, the test.
  await choose(f, '#service', nameOf(sb.info.migrationServiceId));
  await f.locator('vscode-button', { hasText: 'Copy' }).first().click();
  await page.locator('.notification-list-item', { hasText: 'Authentication key 1 copied' }).waitFor();
  await sb.startIntegrationRuntime();
  await until('the runtime node', async () => {
    await f.locator('vscode-button', { hasText: 'Refresh' }).click();
    return (await f.locator('table.list', { hasText: 'SANDBOX-IR-1' }).count()) > 0;
  }, 60_000);
  await f.locator('vscode-button', { hasText: 'Test Connections' }).click();
  await f.locator('ul.tests li.ok', { hasText: 'Source SQL Server' }).waitFor({ timeout: 60_000 });
  assert.equal(await f.locator('ul.tests li.bad').count(), 0, await f.locator('ul.tests').innerText());
  await shot('wizard-5-service');
  await next(f, 'summary');
  await shot('wizard-6-summary');

  await f.locator('#primary').click();
  await f.locator('ul.tests li.ok', { hasText: `${DATABASE} → ${DATABASE} started` }).waitFor({ timeout: 120_000 });
  await shot('wizard-6-started');
  await noErrors();
});

/** Clicks the view's Refresh, then reads the tree once the poll had time to land. */
async function refreshedRows(): Promise<string[]> {
  // The poll runs every 10 s anyway; Refresh makes it sooner.
  await page.locator('.part.sidebar .action-label[aria-label^="Refresh"]').first().click({ timeout: 2000 }).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 1500));
  return treeRows(page);
}

test('the tree shows the files become Restored; the last log backup is uploaded from the folder; cutover from the palette ends in Succeeded', async () => {
  await showContainer(page, 'Azure SQL Migration');
  const migrationRow = page.locator('.part.sidebar .monaco-list-row', { hasText: DATABASE }).first();
  await until('the migration in the tree', async () => (await refreshedRows()).some((r) => r.includes(DATABASE)), 60_000);
  // Its backup sets (the twistie expands it; a click on the row opens the details): the full backup restored.
  await until('the full backup restored', async () => {
    if ((await migrationRow.getAttribute('aria-expanded')) === 'false') await migrationRow.locator('.monaco-tl-twistie').click();
    return (await refreshedRows()).some((r) => r.startsWith('Full backup') && r.includes('Restored'));
  }, 180_000);
  await shot('tree-restored');

  // The last log backup is taken: it lands in the folder, the extension uploads it, the service restores it.
  copyFileSync(chain.lastLog, join(chain.folder, chain.lastLogName));
  await migrationRow.locator('.label-name').click();
  await until(`${chain.lastLogName} restored and the migration ready for cutover`, async () => {
    const all = await refreshedRows();
    // The details view re-renders after every poll: find it again each time.
    const details = await webviewFrame(page, 'h2:text("Restore timeline")', 10_000);
    const table = await details.locator('table').innerText().catch(() => '');
    return all.some((r) => r.includes(DATABASE) && r.includes('ReadyForCutover') && r.includes('0 log backups pending')) &&
      new RegExp(`${chain.lastLogName.replace('.', '\\.')}[^\\n]*Restored`).test(table);
  }, 240_000);
  await shot('details-timeline');
  await page.locator('.statusbar-item .codicon-bell-dot').first().waitFor();
  await shot('tree-ready-for-cutover');
  await runCommand(page, 'View: Close All Editors');

  await runCommand(page, 'Azure SQL Migration: Complete Cutover...');
  const pick = page.locator(`${QUICK_INPUT} .monaco-list-row`, { hasText: DATABASE });
  await pick.waitFor({ timeout: 60_000 });
  await pick.click();
  await shot('cutover-pick');
  await page.locator(`${QUICK_INPUT} input`).press('Enter');
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 60_000 });
  assert.match(await dialog.innerText(), /0 log backups pending restore/);
  assert.match(await dialog.innerText(), /data loss/);
  await shot('cutover-confirm');
  await dialog.getByRole('button', { name: 'Complete Cutover' }).click();
  await page.locator('.notification-list-item', { hasText: 'Cutover completed' }).waitFor({ timeout: 120_000 });
  await until('Succeeded in the tree', async () => (await refreshedRows()).some((r) => r.startsWith('Succeeded')), 120_000);
  await shot('tree-succeeded');
  await noErrors();
});

/** The logins on the sandbox's managed instance (lower case), read over TDS with its admin login, as ARM gives its address. */
async function instanceLogins(): Promise<string[]> {
  const cloud = await loadCloudFile(sb.info.cloudFile);
  const account: SignedInAccount = { cloud, label: 'sandbox', credential: staticTokenCredential(cloud.accessToken!) };
  const signal = AbortSignal.timeout(60_000);
  const admin = sb.info.targetServer!;
  const conn = await connectInstance({ ...(await targetAddress(account, sb.info.managedInstanceId, signal)), user: admin.user, password: admin.password }, signal);
  try {
    return [...(await readTargetPrincipals(conn, { signal })).logins.keys()];
  } finally {
    await conn.close();
  }
}

/** The text of the editor shown (Monaco renders spaces as no-break spaces). */
const editorText = async () => (await page.locator('.editor-instance .view-lines').first().innerText()).replace(/\u00a0/g, ' ');

/** Every file under `dir`, as text (none when there is no `dir`). */
function filesUnder(dir: string): { path: string; text: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .map((path) => ({ path, text: readFileSync(path, 'utf8') }));
}

test('Logins, TDE Certificates and Server Objects... on the migration: the logins chosen are created on the instance', async () => {
  const src = sb.info.sourceServer!;
  const admin = sb.info.targetServer!;
  const instance = nameOf(sb.info.managedInstanceId);
  // Created from the source's logins (the Windows ones as Microsoft Entra logins through CONTOSO=contoso.com); legacy_app is left out below.
  const expected = ['app_reader', 'report_svc', 'ann.lee@contoso.com', 'svc_payroll@contoso.com', 'report readers', 'sql admins'];
  const before = await instanceLogins();
  assert.deepEqual(before.filter((l) => expected.includes(l) || l === 'legacy_app'), [], `already on the instance: ${before.join(', ')}`);

  // The migration's context menu in the tree (in its Succeeded group, collapsed at first).
  await showContainer(page, 'Azure SQL Migration');
  const group = page.locator('.part.sidebar .monaco-list-row', { hasText: 'Succeeded' }).first();
  const migrationRow = page.locator('.part.sidebar .monaco-list-row', { hasText: DATABASE }).first();
  await until('the migration in the tree', async () => {
    if ((await migrationRow.count()) > 0) return true;
    if ((await group.getAttribute('aria-expanded')) === 'false') await group.locator('.monaco-tl-twistie').click();
    return false;
  });
  await pickFromContextMenu(page, migrationRow, 'Logins, TDE Certificates and Server Objects...', () => shot('server-objects-1-menu'));

  // What to move: Logins (checked by default).
  await until('what to move', async () => new RegExp(`What to move to ${instance}`).test(await quickInputPrompt(page)), 60_000);
  await until('Logins checked', () => quickPickChecked(quickPickRow(page, 'Logins')));
  await shot('server-objects-2-parts');
  await answerQuickInput(page, new RegExp(`What to move to ${instance}`));

  // The source, as this machine reaches it; its certificate is trusted (asked only when the migration does not say).
  const server = `${src.host},${src.port}`;
  await answerQuickInput(page, new RegExp(`The source SQL Server of ${DATABASE}`), server);
  await answerQuickInput(page, /The login on /, src.user);
  const sourcePassword = new RegExp(`The password of ${src.user} on `);
  const asked = await until('the certificate question or the password', async () => {
    const p = await quickInputPrompt(page);
    return /verify its TLS certificate/.test(p) ? 'trust' : sourcePassword.test(p) ? 'password' : false;
  }, 60_000);
  if (asked === 'trust') {
    await quickPickRow(page, 'Trust the Server Certificate').click();
  }
  await answerQuickInput(page, sourcePassword, src.password);
  // The instance's admin login.
  await answerQuickInput(page, new RegExp(`A login on ${instance}`), admin.user);
  await answerQuickInput(page, new RegExp(`The password of ${admin.user} on ${instance}`), admin.password);

  // Which logins: those that can be created and the Windows ones are checked; legacy_app is unchecked here.
  await until('the logins to create', async () => /The logins to create on the instance/.test(await quickInputPrompt(page)), 120_000);
  for (const login of ['app_reader', 'report_svc', 'legacy_app', 'CONTOSO\\ann.lee', 'CONTOSO\\SQL Admins']) {
    assert.ok(await quickPickChecked(quickPickRow(page, login)), `${login} checked`);
  }
  assert.equal(await quickPickRow(page, 'sa').count(), 0, 'sa is never offered');
  await quickPickRow(page, 'legacy_app').locator('.label-name').click();
  await until('legacy_app unchecked', async () => !(await quickPickChecked(quickPickRow(page, 'legacy_app'))));
  await shot('server-objects-3-logins');
  await answerQuickInput(page, /The logins to create on the instance/);
  // Windows logins among them: their domain's Microsoft Entra domain.
  await answerQuickInput(page, /Windows domains to Microsoft Entra domains/, 'CONTOSO=contoso.com');

  // The plan, then the confirmation.
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 120_000 });
  assert.match(await dialog.innerText(), new RegExp(`Apply the plan to ${instance}\\?`));
  assert.match(await dialog.innerText(), /create the logins/);
  const plan = await until('the plan document', async () => {
    const text = await editorText();
    return text.includes('Logins (plan)') ? text : undefined;
  });
  assert.match(plan, /app_reader +app_reader \(sql\) +CREATE/);
  assert.match(plan, /CONTOSO\\ann\.lee +ann\.lee@contoso\.com \(entra-user\) +CREATE/);
  assert.doesNotMatch(plan, /legacy_app/);
  await shot('server-objects-4-plan-confirm');
  await dialog.getByRole('button', { name: 'Apply', exact: true }).click();

  // The results document: what was created.
  const results = await until('the results document', async () => {
    const text = await editorText();
    return text.includes(`Results: ${DATABASE} to ${instance}`) && /CREATED/.test(text) ? text : undefined;
  }, 120_000);
  assert.match(results, /app_reader +app_reader +CREATED/);
  assert.match(results, /report_svc +report_svc +CREATED/);
  assert.match(results, /CONTOSO\\ann\.lee +ann\.lee@contoso\.com +CREATED/);
  assert.match(results, /CONTOSO\\Report Readers +Report Readers +CREATED/);
  assert.doesNotMatch(results, /FAILED/);
  for (const secret of [src.password, admin.password]) assert.ok(!plan.includes(secret) && !results.includes(secret), 'no password in the documents');
  await shot('server-objects-5-results');

  // On the instance itself: the chosen logins exist, the one left out does not.
  const after = await instanceLogins();
  for (const login of expected) assert.ok(after.includes(login), `${login} on the instance: ${after.join(', ')}`);
  assert.ok(!after.includes('legacy_app'), 'legacy_app was not chosen');

  // The extension's log has the results and neither password; nor has any other log, nor the editor's backups of documents.
  const dataDir = join(work, 'code-server', 'user-data');
  const written = () => [...filesUnder(join(dataDir, 'logs')), ...filesUnder(join(dataDir, 'Backups'))];
  await until('the results in the extension\'s log', async () => written().some((f) => f.text.includes(`server objects: ${DATABASE} to ${instance}:`)), 30_000);
  for (const f of written()) {
    for (const secret of [src.password, admin.password]) assert.ok(!f.text.includes(secret), `a password in ${f.path}`);
  }
  assert.equal(await page.locator('.notification-list-item', { hasText: 'Something was not moved' }).count(), 0);
  await noErrors();

  // The plan and the results are read-only reports, not Untitled documents: they close without a save prompt.
  assert.equal(await page.locator('.tab', { hasText: 'Untitled' }).count(), 0);
  await page.locator('.tab', { hasText: `Results for ${instance}.md` }).waitFor();
  await runCommand(page, 'View: Close All Editors');
  await until('the editors closed without a save prompt', async () => (await page.locator('.tab').count()) === 0);
});

/** The value a vscode-textfield holds. */
const fieldValue = (f: Frame, selector: string) => f.locator(selector).evaluate((el) => (el as unknown as { value: string }).value);

/** The source step, from wherever the wizard reopened (a step already reached). */
async function toSourceStep(f: Frame): Promise<void> {
  if ((await f.locator('.wizard').getAttribute('data-step')) !== 'source') await f.locator('button.step', { hasText: 'Source SQL Server' }).click();
  await onStep(f, 'source');
}

test('the MSSQL extension (its stand-in): saved connections on the source step, a pick and its saved password connect; Object Explorer hands a server to the wizard', async () => {
  const src = sb.info.sourceServer!;
  await runCommand(page, 'Azure SQL Migration: Migrate to Azure SQL...');
  let f = await wizard();
  await toSourceStep(f);
  const options = await until('the saved connections', async () => {
    const texts = (await f.locator('#saved vscode-option').allTextContents()).map((t) => t.trim());
    return texts.includes(SAVED.sandbox) ? texts : undefined;
  });
  assert.ok(options.includes(SAVED.windows), options.join(' | '));
  await shot('mssql-1-saved-connections');

  // A pick fills the fields (no password: that takes the MSSQL extension's own approval). The
  // Windows one first: another server, so the sandbox's after it starts the step over.
  await choose(f, '#saved', SAVED.windows);
  await f.locator('#saved-caveat').getByText(/NTLM/).waitFor();
  await until('the step started over', async () => (await f.locator('#connected').count()) === 0);
  await choose(f, '#saved', SAVED.sandbox);
  await until('the server filled from the profile', async () => (await fieldValue(f, '#server')) === `${src.host},${src.port}`);
  assert.equal(await fieldValue(f, '#user'), src.user);
  await until('the password asked for', async () => (await issues(f)).includes('Enter the password'));
  await f.locator('#saved-password').click();
  const ask = page.locator('.notification-list-item', { hasText: 'is requesting access to your SQL Server connections' });
  await ask.waitFor({ timeout: 30_000 });
  await shot('mssql-2-approve-sharing');
  await ask.getByRole('button', { name: 'Approve' }).click();
  await f.locator('.op.done', { hasText: 'handed over the saved password' }).waitFor({ timeout: 30_000 });
  await f.locator('#connect').click();
  await f.locator('#connected').waitFor({ timeout: 60_000 });
  assert.ok(!(await f.content()).includes(src.password), 'the password never reaches the webview');
  await shot('mssql-3-connected-with-saved-password');
  await runCommand(page, 'View: Close All Editors');

  // Object Explorer: "Migrate to Azure SQL Managed Instance..." on a server node opens the wizard with that server.
  await showContainer(page, 'SQL Server');
  const node = page.locator('.part.sidebar .monaco-list-row', { hasText: SAVED.windows }).first();
  await node.waitFor({ timeout: 30_000 });
  await pickFromContextMenu(page, node, 'Migrate to Azure SQL Managed Instance...', () => shot('mssql-4-object-explorer-menu'));
  f = await wizard();
  await toSourceStep(f);
  await until('the server handed over', async () => (await fieldValue(f, '#server')) === SAVED.windowsServer);
  await f.locator('#saved-offered').waitFor();
  assert.equal(await f.locator('vscode-single-select#auth').evaluate((el) => (el as unknown as { value: string }).value), 'WindowsAuthentication');
  await f.locator('#saved-caveat').getByText(/NTLM/).waitFor();
  await shot('mssql-5-object-explorer-handover');
  await runCommand(page, 'View: Close All Editors');
  await noErrors();
});
