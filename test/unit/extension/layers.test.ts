import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const VSCODE = /from ['"]vscode['"]|require\(['"]vscode['"]\)/;

test('the host logic the tests run without VS Code never imports vscode', () => {
  const pure = [
    'src/extension/wizard/reducer.ts', 'src/extension/wizard/validation.ts', 'src/extension/wizard/persistence.ts',
    'src/extension/wizard/controller.ts', 'src/extension/wizard/request.ts', 'src/extension/wizard/context.ts',
    'src/extension/wizard/deps.ts', 'src/extension/wizard/handlers.ts', 'src/extension/wizard/navigation.ts',
    'src/extension/wizard/state.ts', 'src/extension/wizard/steps/account.ts', 'src/extension/wizard/steps/source.ts',
    'src/extension/wizard/steps/target.ts', 'src/extension/wizard/steps/backups.ts', 'src/extension/wizard/steps/service.ts',
    'src/extension/wizard/steps/summary.ts', 'src/protocol/wizard.ts',
    'src/extension/dashboard/model.ts', 'src/extension/dashboard/statusRules.ts', 'src/extension/dashboard/observations.ts',
    'src/extension/dashboard/timeline.ts', 'src/extension/dashboard/detailsView.ts', 'src/extension/dashboard/backupSets.ts',
    'src/extension/dashboard/statusBar.ts',
    'src/extension/dashboard/dmsShape.ts', 'src/extension/cutover/flow.ts', 'src/extension/services/types.ts',
    'src/extension/services/backupCheck.ts', 'src/extension/errors.ts', 'src/extension/services/index.ts',
    'src/extension/services/azureResources.ts', 'src/extension/services/migrationServices.ts', 'src/extension/services/sourceService.ts',
    'src/extension/services/starter.ts', 'src/extension/services/localUploads.ts', 'src/extension/services/migrationFeed.ts',
    'src/extension/services/coreApi.ts', 'src/extension/services/loadCore.ts', 'src/extension/services/azureContext.ts',
    'src/extension/redact.ts', 'src/extension/settings.ts', 'src/extension/webviewHtml.ts',
  ];
  for (const file of pure) assert.doesNotMatch(readFileSync(file, 'utf8'), VSCODE, file);
});

test('the webview imports neither vscode, node, nor the extension host', () => {
  for (const file of sources('src/webview')) {
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, VSCODE, file);
    assert.doesNotMatch(text, /from ['"]node:|from ['"](fs|path|crypto|os)['"]/, file);
    assert.doesNotMatch(text, /from ['"][./]*(extension|core|cli)\//, file);
  }
});

test('activation never loads the Azure SDK or the SQL driver: the core comes in through loadCore()', () => {
  // Value imports of these reach the core bundle only through services/coreApi.ts. The
  // migration rules the view applies (status, backup files, the cutover guard, the refusals of
  // cancel and delete) import no SDK and load with it.
  const lazy = /^import (?!type )[^;]*from ['"][./]*core\/(azure\/(?!cloud['"])|upload|source|assessment|migration\/(?!status['"]|cutover['"]|backupFiles['"]|operations['"]))/m;
  for (const file of sources('src/extension')) {
    if (file.endsWith('coreApi.ts')) continue;
    assert.doesNotMatch(readFileSync(file, 'utf8'), lazy, file);
  }
});
