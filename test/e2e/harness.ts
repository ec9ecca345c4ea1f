/**
 * The wizard webview outside VS Code, for screenshots of the steps this build cannot reach in
 * the editor (they need the Azure core): the real dist/webview bundle in a Chromium page with
 * the real editor's theme variables, fed states that a WizardController produced with scripted
 * services (the same ones the unit tests use) and the real local backup check.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { KNOWN_CLOUDS } from '../../src/core/azure/cloud';
import { Redactor } from '../../src/extension/redact';
import { WizardController } from '../../src/extension/wizard/controller';
import type { WizardState } from '../../src/webview/wizard/protocol';
import { MemoryLog, MemorySecrets, MemoryStore, SUB, MI_READY, STORAGE, DMS, TestHost, workingServices } from '../unit/extension/wizardServices';
import { ROOT } from '../../scripts/e2e/codeServer';

const BASE = 'http://127.0.0.1:1/webview/';

/** Walks a controller through every step; returns the state shown on each. */
export async function scriptedStates(backups: string): Promise<Map<string, WizardState>> {
  const host = new TestHost();
  const c = new WizardController({
    services: workingServices({ passwordsSeen: [], started: [] }),
    host,
    store: new MemoryStore(),
    secretStore: new MemorySecrets(),
    log: new MemoryLog(),
    redactor: new Redactor(),
    clouds: [...KNOWN_CLOUDS],
    defaultCloud: 'AzureCloud',
  });
  const states = new Map<string, WizardState>();
  const send = async (m: unknown) => {
    c.receive(m);
    await c.settled();
  };
  const keep = (step: string) => {
    if (c.current.step !== step) throw new Error(`the scripted walk is on ${c.current.step}, not ${step}: ${c.current.issues.join('; ')}`);
    states.set(step, c.current);
  };
  await send({ type: 'account.signIn' });
  await send({ type: 'next' });
  await send({ type: 'source.update', patch: { server: 'sql01.contoso.com', userName: 'migrator' } });
  await send({ type: 'source.password', value: 'a-throwaway-password' });
  await send({ type: 'source.connect' });
  await send({ type: 'source.select', names: ['Sales', 'HR'] });
  keep('source');
  await send({ type: 'next' });
  await send({ type: 'target.selectSubscription', id: SUB });
  await send({ type: 'target.selectInstance', id: MI_READY });
  keep('target');
  await send({ type: 'next' });
  await send({ type: 'backups.update', patch: { storageAccountId: STORAGE } });
  host.folders.push(join(backups, 'Sales'), join(backups, 'Inventory'));
  await send({ type: 'backups.browse', source: 'Sales' });
  await send({ type: 'backups.browse', source: 'HR' }); // the wrong folder: another database, with a gap
  keep('backups');
  await send({ type: 'backups.database', source: 'HR', patch: { target: 'HR_2026', folder: join(backups, 'HR') } });
  await send({ type: 'backups.check', source: 'HR' });
  await send({ type: 'next' });
  await send({ type: 'service.select', id: DMS });
  keep('service');
  await send({ type: 'next' });
  keep('summary');
  c.dispose();
  return states;
}

export interface Harness {
  page: Page;
  show(state: WizardState): Promise<void>;
  /** Intents the webview posted. */
  sent(): Promise<unknown[]>;
  /** Errors the page logged or threw. */
  errors: string[];
}

export async function openHarness(browser: Browser, theme: { htmlStyle: string; bodyClass: string }): Promise<Harness> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  const dist = join(ROOT, 'dist/webview');
  await page.route(`${BASE}**`, (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop()!;
    if (name === 'index.html') {
      const html = `<!DOCTYPE html><html style="${theme.htmlStyle.replace(/"/g, '&quot;')}"><head><meta charset="UTF-8">
        <link rel="stylesheet" href="codicon.css" id="vscode-codicon-stylesheet"><link rel="stylesheet" href="wizard.css"></head>
        <body class="${theme.bodyClass}"><main id="app"></main><script src="wizard.js"></script></body></html>`;
      return route.fulfill({ contentType: 'text/html', body: html });
    }
    const type = name.endsWith('.js') ? 'text/javascript; charset=utf-8' : name.endsWith('.css') ? 'text/css; charset=utf-8' : 'font/ttf';
    return route.fulfill({ contentType: type, body: readFileSync(join(dist, name)) });
  });
  // A string, not a function: the TypeScript loader would wrap a function's inner names in helpers the page lacks.
  await page.addInitScript(
    'window.__sent = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__sent.push(m), getState: () => undefined, setState: () => undefined });',
  );
  await page.goto(`${BASE}index.html`);
  return {
    page,
    show: async (state) => {
      await page.evaluate((s) => (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage({ type: 'state', state: s }, '*'), state);
      await page.locator(`.wizard[data-step="${state.step}"]`).waitFor();
    },
    errors,
    sent: () => page.evaluate(() => (globalThis as unknown as { __sent: unknown[] }).__sent),
  };
}

/**
 * The details view of a migration (static HTML, as the extension renders it) after a scripted
 * series of polls: files arrive, upload and restore over twelve minutes.
 */
export async function detailsScreenshot(browser: Browser, theme: { htmlStyle: string; bodyClass: string }, file: string): Promise<void> {
  const { ObservationLog } = await import('../../src/extension/dashboard/changes');
  const { detailsBody, DETAILS_STYLE } = await import('../../src/extension/dashboard/detailsView');
  const { migration, set } = await import('../unit/extension/fixtures');
  const t0 = Date.parse('2026-11-01T09:00:00Z');
  const at = (min: number) => new Date(t0 + min * 60_000);
  const statuses = (min: number): [string, string][] => [
    ['Sales_FULL.bak', min < 2 ? 'Uploading' : min < 4 ? 'Restoring' : 'Restored'],
    ['Sales_LOG_001.trn', min < 3 ? 'Arrived' : min < 5 ? 'Uploaded' : min < 6 ? 'Restoring' : 'Restored'],
    ['Sales_LOG_002.trn', min < 6 ? 'Arrived' : min < 7 ? 'Uploading' : min < 9 ? 'Restoring' : 'Restored'],
    ['Sales_LOG_003.trn', min < 10 ? 'Uploading' : 'Uploaded'],
    ['Old_LOG.trn', 'Ignored'],
  ];
  const snapshot = (min: number) => {
    const s = new Map(statuses(min));
    return migration('Sales', min < 9 ? 'InProgress' : 'ReadyForCutover', {
      isFullBackupRestored: min >= 4,
      lastRestoredFilename: min >= 9 ? 'Sales_LOG_002.trn' : undefined,
      pendingLogBackupsCount: 1,
      fullBackupSetInfo: set('Database', '41000000012800037', '41000000020000001', [['Sales_FULL.bak', s.get('Sales_FULL.bak')!, 812 * 1024 * 1024]], { backupFinishDate: at(-3).toISOString() }),
      activeBackupSets: [
        set('TransactionLog', '41000000020000001', '41000000030000001', [['Sales_LOG_001.trn', s.get('Sales_LOG_001.trn')!, 48 * 1024 * 1024]], { backupFinishDate: at(-1).toISOString() }),
        set('TransactionLog', '41000000030000001', '41000000040000001', [['Sales_LOG_002.trn', s.get('Sales_LOG_002.trn')!, 31 * 1024 * 1024]], { backupFinishDate: at(5.5).toISOString() }),
        set('TransactionLog', '41000000040000001', '41000000050000001', [['Sales_LOG_003.trn', s.get('Sales_LOG_003.trn')!, 27 * 1024 * 1024]], { backupFinishDate: at(9.5).toISOString() }),
        set('TransactionLog', '41000000000000001', '41000000000000002', [['Old_LOG.trn', 'Ignored', 1024 * 1024]], { ignoreReasons: ['It is older than the restored full backup.'], backupFinishDate: at(-30).toISOString() }),
      ],
    });
  };
  const log = new ObservationLog();
  for (let min = 0; min <= 11; min++) log.record([snapshot(min)], at(min));
  const m = snapshot(11);
  const html = `<!DOCTYPE html><html style="${theme.htmlStyle.replace(/"/g, '&quot;')}"><head><meta charset="UTF-8"><style>${DETAILS_STYLE}</style></head>` +
    `<body class="${theme.bodyClass}">${detailsBody(m, log.history(m.id), at(12))}</body></html>`;
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  await page.setContent(html);
  await page.screenshot({ path: file, fullPage: true });
  await page.close();
}
