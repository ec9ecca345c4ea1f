/**
 * A real VS Code in the browser for the e2e and `npm run demo:editor`: code-server on a random
 * loopback port with our packaged extension installed, in throwaway user-data and extension
 * folders, with every update check, telemetry and marketplace call turned off. Optionally it
 * runs under strace so a test can prove it connected to nothing off this machine.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');

export interface Tools {
  node: string;
  codeServer: string;
  chromium: string;
}

/** Installs (once, cached) and locates Chromium, Node 24 and code-server. */
export function ensureTools(): Tools {
  const r = spawnSync('bash', [join(ROOT, 'scripts/e2e/install-tools.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`installing the e2e tools failed (exit ${r.status}); see the output above`);
  const dir = r.stdout.trim().split('\n').pop()!;
  const tools = { node: join(dir, 'node24/node_modules/.bin/node'), codeServer: join(dir, 'code-server-4.139.1/bin/code-server'), chromium: '/usr/bin/chromium' };
  for (const [name, path] of Object.entries(tools)) if (!existsSync(path)) throw new Error(`the e2e tools are incomplete: no ${name} at ${path}`);
  return tools;
}

/** Packages the built extension (npm run build first), or another extension's folder, into a .vsix. */
export function packageVsix(outFile: string, folder = ROOT): string {
  const vsce = require.resolve('@vscode/vsce/vsce');
  const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '-o', outFile], { cwd: folder, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vsce package failed:\n${r.stdout}\n${r.stderr}`);
  return outFile;
}

/** The MSSQL extension's stand-in (test/e2e/mssql-stand-in), packaged to install next to ours. */
export const packageMssqlStandIn = (outFile: string) => packageVsix(outFile, join(ROOT, 'test/e2e/mssql-stand-in'));

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** User settings that keep VS Code quiet and on this machine. */
export const QUIET_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.enableExperiments': false,
  'workbench.settings.enableNaturalLanguageSearch': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'npm.fetchOnlinePackageInfo': false,
  'json.schemaDownload.enable': false,
  'typescript.disableAutomaticTypeAcquisition': true,
  'git.enabled': false,
  'chat.disableAIFeatures': true,
  'window.restoreWindows': 'none',
  // code-server's extension host scans for ports to forward every 2 s or more (it reads /proc and
  // runs `ls -l /proc/*/fd`) whenever a tunnel provider is registered, which code-server always is:
  // only 'output' as the source stops it. A desktop VS Code has no such scan.
  'remote.autoForwardPorts': false,
  'remote.autoForwardPortsSource': 'output',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.colorTheme': 'Default Dark Modern',
};

export interface CodeServer {
  url: string;
  port: number;
  /** code-server's own output so far. */
  output(): string;
  /** connect() calls to anything but loopback or local sockets (empty when not audited). */
  outboundConnections(): string[];
  stop(): Promise<void>;
}

export interface StartOptions {
  tools: Tools;
  vsix: string;
  /** Other extensions (.vsix) installed with it (the MSSQL extension's stand-in). */
  extensions?: string[];
  /** Folder for user data, extensions and the config (a temp folder). */
  dataDir: string;
  /** The folder VS Code opens. */
  workspace: string;
  settings?: Record<string, unknown>;
  /** Run under strace and record every connect(). */
  audit?: boolean;
  port?: number;
}

/** connect() lines from strace that leave the machine. */
export function offMachine(trace: string): string[] {
  return trace.split('\n').filter((line) => {
    if (!/\bconnect\(/.test(line)) return false;
    if (/sa_family=AF_(UNIX|LOCAL|NETLINK)/.test(line)) return false;
    const v4 = /inet_addr\("([\d.]+)"\)/.exec(line)?.[1];
    if (v4 !== undefined) return !v4.startsWith('127.') && v4 !== '0.0.0.0';
    const v6 = /inet_pton\(AF_INET6, "([^"]+)"/.exec(line)?.[1];
    if (v6 !== undefined) return !(v6 === '::1' || /^::ffff:127\./.test(v6));
    return /AF_INET/.test(line);
  });
}

export async function startCodeServer(o: StartOptions): Promise<CodeServer> {
  const userData = join(o.dataDir, 'user-data');
  const extensions = join(o.dataDir, 'extensions');
  const config = join(o.dataDir, 'config.yaml');
  const trace = join(o.dataDir, 'connect.trace');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(join(userData, 'Machine'), { recursive: true });
  mkdirSync(extensions, { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...o.settings }, null, 2));
  // Machine-scoped settings (such as a cloud file's path) are read from the server's own settings.
  writeFileSync(join(userData, 'Machine', 'settings.json'), JSON.stringify(o.settings ?? {}, null, 2));
  const port = o.port ?? (await freePort());
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const env = {
    ...process.env,
    PATH: `${dirname(o.tools.node)}:${process.env.PATH}`,
    // No extension gallery at all: nothing is fetched from a marketplace.
    EXTENSIONS_GALLERY: '{}',
    VSCODE_CLI_DISABLE_KEYCHAIN_ENCRYPT: '1',
  };
  const base = [o.tools.codeServer, '--config', config, '--user-data-dir', userData, '--extensions-dir', extensions];
  const wrap = (args: string[]) => (o.audit ? ['strace', ['-f', '-qq', '-e', 'trace=connect', '-o', trace, '-A', o.tools.node, ...args]] : [o.tools.node, args]) as [string, string[]];

  const [installCmd, installArgs] = wrap([...base, ...[o.vsix, ...(o.extensions ?? [])].flatMap((x) => ['--install-extension', x]), '--force']);
  const installed = spawnSync(installCmd, installArgs, { env, encoding: 'utf8', timeout: 120_000 });
  if (installed.status !== 0) throw new Error(`installing the extension into code-server failed:\n${installed.stdout}\n${installed.stderr}`);

  const [cmd, args] = wrap([
    ...base,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--disable-proxy',
    '--ignore-last-opened',
    o.workspace,
  ]);
  const child: ChildProcess = spawn(cmd, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  // It runs in its own process group (so it can be ended whole); make sure it ends with us.
  const onExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', onExit);
  child.once('exit', () => process.removeListener('exit', onExit));
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode} before it was ready:\n${output}`);
    try {
      const r = await fetch(`${url}healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      killGroup(child, 'SIGKILL');
      throw new Error(`code-server did not answer on ${url} within 90 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    port,
    output: () => output,
    outboundConnections: () => (o.audit && existsSync(trace) ? offMachine(readFileSync(trace, 'utf8')) : []),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      killGroup(child, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      killGroup(child, 'SIGKILL');
    },
  };
}

/** code-server runs its own children (extension host, file watcher): end the whole group. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
