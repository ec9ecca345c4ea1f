import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentSecurityPolicy, newNonce, webviewShell } from '../../../src/extension/webviewHtml';

test('the CSP allows nothing by default, our origin for files, and inline code only with the nonce', () => {
  const csp = contentSecurityPolicy('https://x.vscode-cdn.net', 'N0nce', true);
  assert.match(csp, /^default-src 'none';/);
  assert.match(csp, /script-src 'nonce-N0nce'/);
  assert.match(csp, /style-src https:\/\/x\.vscode-cdn\.net 'nonce-N0nce'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  assert.match(contentSecurityPolicy('o', 'n', false), /script-src 'none'/);
});

test('nonces are 128 random bits and never repeat', () => {
  const seen = new Set(Array.from({ length: 1000 }, newNonce));
  assert.equal(seen.size, 1000);
  for (const n of seen) assert.equal(Buffer.from(n, 'base64').length, 16);
});

test('the shell puts the nonce on every script and stylesheet and escapes what it is given', () => {
  const html = webviewShell({
    cspSource: 'https://o',
    nonce: 'abc',
    title: 'A "title" <b>',
    scripts: ['https://o/wizard.js'],
    styles: [{ href: 'https://o/codicon.css', id: 'vscode-codicon-stylesheet' }],
    body: '<main id="app"></main>',
  });
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
  assert.match(html, /<script nonce="abc" src="https:\/\/o\/wizard.js"><\/script>/);
  assert.match(html, /<link rel="stylesheet" href="https:\/\/o\/codicon.css" id="vscode-codicon-stylesheet" nonce="abc">/);
  assert.match(html, /<title>A &quot;title&quot; &lt;b><\/title>/);
  assert.equal((html.match(/<script/g) ?? []).length, 1);
});
