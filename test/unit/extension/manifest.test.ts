import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fakeExtensionContext, installVscodeStub } from './vscodeStub';
import { COMMANDS, INTERNAL_COMMANDS } from '../../../src/extension/commands/ids';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const nls = JSON.parse(readFileSync('package.nls.json', 'utf8'));
const contributed = new Set<string>(pkg.contributes.commands.map((c: { command: string }) => c.command));

test('every contributed command is registered at activation, and nothing else (but the commands of the view\'s own rows)', async () => {
  const record = installVscodeStub();
  const { activate } = await import('../../../src/extension/extension');
  const context = fakeExtensionContext(resolve('.'));
  activate(context as never);
  const internal = new Set<string>(Object.values(INTERNAL_COMMANDS));
  assert.deepEqual([...record.commands.keys()].filter((c) => !internal.has(c)).sort(), [...contributed].sort());
  for (const c of internal) assert.ok(record.commands.has(c), `${c} is registered`);
  assert.deepEqual(new Set(Object.values(COMMANDS)), contributed);
  assert.ok(context.subscriptions.length >= record.commands.size);
  assert.deepEqual(record.messages, []);
  for (const d of context.subscriptions) d.dispose();
});

test('activation is lazy: no "*" and no startup event; a wizard open before a reload comes back', () => {
  // Commands and views activate by themselves (VS Code 1.74+); a restored webview panel needs its event.
  assert.deepEqual(pkg.activationEvents, ['onWebviewPanel:sqlMigration.wizard']);
  assert.equal(pkg.engines.vscode, '^1.82.0');
  assert.equal(require('@types/vscode/package.json').version, '1.82.0');
});

test('every %key% of the manifest has its string, and every string is used', () => {
  const text = JSON.stringify(pkg);
  const keys = new Set([...text.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]!));
  for (const k of keys) assert.ok(k in nls, `package.nls.json lacks ${k}`);
  for (const k of Object.keys(nls)) assert.ok(keys.has(k), `package.nls.json has unused ${k}`);
});

test('menus, welcome links and walkthrough links name real commands', () => {
  const builtIn = new Set(['workbench.view.extension.sqlMigration']);
  for (const [where, items] of Object.entries(pkg.contributes.menus as Record<string, { command: string }[]>)) {
    for (const i of items) assert.ok(contributed.has(i.command), `${where} names ${i.command}`);
  }
  for (const link of JSON.stringify(nls).matchAll(/\(command:([A-Za-z0-9_.]+)\)/g)) {
    assert.ok(contributed.has(link[1]!) || builtIn.has(link[1]!), `a link runs ${link[1]}`);
  }
  for (const step of pkg.contributes.walkthroughs[0].steps) {
    assert.ok(readFileSync(step.media.markdown, 'utf8').length > 100, step.media.markdown);
  }
  const settings = Object.keys(pkg.contributes.configuration.properties);
  assert.deepEqual(settings, ['sqlMigration.refreshIntervalSeconds', 'sqlMigration.cloud', 'sqlMigration.customCloudFile', 'sqlMigration.uploadConcurrency']);
});

test('the l10n bundle holds every runtime string (run npm run l10n:export after adding one)', () => {
  const bundle = JSON.parse(readFileSync('l10n/bundle.l10n.json', 'utf8')) as Record<string, string>;
  const samples = ['Ready for cutover', 'Complete the cutover of {0} databases?', 'Not available in this build', 'Migrate to Azure SQL', 'Start Migration'];
  for (const s of samples) assert.ok(s in bundle, s);
});
