/**
 * The HTML shell of our webviews: a strict Content-Security-Policy (nothing by default; our
 * own files from the webview's resource origin; inline script and style only with this
 * page's nonce), with every resource URI handed in already converted by `asWebviewUri`.
 */
import { randomBytes } from 'node:crypto';

/** 128 random bits from the OS generator, base64 (a CSP nonce must not be guessable). */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

export interface ShellOptions {
  cspSource: string;
  nonce: string;
  title: string;
  lang?: string;
  scripts?: string[];
  /** Stylesheets; the first one may carry an id (the codicon sheet that vscode-elements looks for). */
  styles?: { href: string; id?: string }[];
  /** Inline CSS, allowed through the nonce. */
  inlineStyle?: string;
  body: string;
}

const attr = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function contentSecurityPolicy(cspSource: string, nonce: string, scripts: boolean): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    scripts ? `script-src 'nonce-${nonce}'` : "script-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function webviewShell(o: ShellOptions): string {
  const scripts = o.scripts ?? [];
  return [
    '<!DOCTYPE html>',
    `<html lang="${attr(o.lang ?? 'en')}">`,
    '<head>',
    '<meta charset="UTF-8">',
    `<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o.cspSource, o.nonce, scripts.length > 0))}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
    ...(o.styles ?? []).map((s) => `<link rel="stylesheet" href="${attr(s.href)}"${s.id ? ` id="${attr(s.id)}"` : ''} nonce="${attr(o.nonce)}">`),
    o.inlineStyle ? `<style nonce="${attr(o.nonce)}">${o.inlineStyle}</style>` : '',
    `<title>${attr(o.title)}</title>`,
    '</head>',
    `<body>${o.body}`,
    ...scripts.map((src) => `<script nonce="${attr(o.nonce)}" src="${attr(src)}"></script>`),
    '</body>',
    '</html>',
  ].filter(Boolean).join('\n');
}
