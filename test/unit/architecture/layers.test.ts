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

test('core never imports vscode, the extension, the CLI or the webview', () => {
  for (const file of sources('src/core')) {
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /from ['"]vscode['"]|require\(['"]vscode['"]\)/, file);
    assert.doesNotMatch(text, /from ['"][./]*(extension|cli|webview)\//, file);
  }
});

test('the CLI never imports vscode', () => {
  for (const file of sources('src/cli')) assert.doesNotMatch(readFileSync(file, 'utf8'), /from ['"]vscode['"]/, file);
});
