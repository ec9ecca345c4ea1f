/**
 * The e2e tool install runs nested npm installs. Started through `npm run test:e2e`, it inherits the
 * outer npm's npm_* variables; the nested npm reads them as its own settings (code-server's
 * postinstall then takes the outer Node's version from npm_config_user_agent and refuses to build).
 * Here the real install-tools.sh runs against stand-ins for npm, apt-get and dpkg that record what
 * each nested npm saw, with the environment `npm run` on Node 20 exports.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';

const SCRIPT = resolve(__dirname, '../../../scripts/e2e/install-tools.sh');
const work = mkdtempSync(join(tmpdir(), 'sqlmig-install-tools-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** What `npm run` on Node 20 exports (read off `npm run` on this kind of machine), plus a user's registry. */
const OUTER_NPM_ENV: Record<string, string> = {
  npm_command: 'run',
  npm_config_allow_scripts: '',
  npm_config_cache: join(work, 'npm-cache'),
  npm_config_global_prefix: '/usr',
  npm_config_local_prefix: '/somewhere/else',
  npm_config_loglevel: 'silent',
  npm_config_node_gyp: '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  npm_config_npm_version: '11.19.1',
  npm_config_prefix: '/usr',
  npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false',
  npm_config_registry: 'https://registry.example.test/',
  npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
  npm_lifecycle_event: 'test:e2e',
  npm_lifecycle_script: 'node --test test/e2e/editor.e2e.ts',
  npm_node_execpath: '/usr/bin/node',
  npm_package_json: '/somewhere/else/package.json',
};

/** Variables that describe the outer npm or change what the nested one installs, and where. */
const MUST_NOT_REACH = Object.keys(OUTER_NPM_ENV).filter((k) => !/^npm_config_(cache|registry)$/.test(k));

function stand_ins(bin: string, record: string): void {
  mkdirSync(bin, { recursive: true });
  const script = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/usr/bin/env bash\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  // Everything the apt part looks for is "installed"; chromium is checked by its absolute path and
  // may be missing on a test machine, so apt-get is a stand-in that does nothing.
  script('dpkg', 'exit 0');
  script('apt-get', 'exit 0');
  script('strace', 'exit 0');
  // npm: records its environment, then behaves like the real install as far as the script can tell,
  // including code-server's check, which reads the Node major version from the user agent.
  script(
    'npm',
    `n=$(ls "${record}"/*.env 2>/dev/null | wc -l)
env | grep -iE '^npm_' | sort > "${record}/$n.env"
echo "$*" > "${record}/$n.args"
node_seen=$(node --version)
if [ -n "\${npm_config_user_agent:-}" ] && [[ "$npm_config_user_agent" != *"node/$node_seen"* ]]; then
  echo "ERROR: code-server currently requires node v24. We have detected that you are on $npm_config_user_agent" >&2; exit 1
fi
if [[ " $* " == *" node@24 "* ]]; then
  mkdir -p node_modules/.bin && printf '#!/usr/bin/env bash\\necho v24.11.0\\n' > node_modules/.bin/node && chmod +x node_modules/.bin/node
else
  prefix=$(echo "$*" | sed -n 's/.*--prefix \\([^ ]*\\).*/\\1/p')
  mkdir -p "$prefix/bin" && : > "$prefix/bin/code-server"
fi`,
  );
}

test('the nested npm installs of the e2e tools see their own Node, not the npm that ran `npm run`', () => {
  const bin = join(work, 'bin');
  const record = join(work, 'record');
  const tools = join(work, 'tools');
  mkdirSync(record);
  stand_ins(bin, record);
  const r = spawnSync('bash', [SCRIPT], {
    encoding: 'utf8',
    env: { PATH: `${bin}:${process.env.PATH}`, HOME: work, SQLMIG_E2E_TOOLS: tools, ...OUTER_NPM_ENV },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').pop(), tools);

  const calls = readdirSync(record).filter((f) => f.endsWith('.env')).sort();
  assert.equal(calls.length, 2, 'one install of node@24, one of code-server');
  assert.match(readFileSync(join(record, '1.args'), 'utf8'), /code-server@/);
  for (const call of calls) {
    const seen = new Map(
      readFileSync(join(record, call), 'utf8').split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    for (const name of MUST_NOT_REACH) assert.equal(seen.has(name), false, `${name} reached the nested npm (${call})`);
    // Where to download from stays the user's choice.
    assert.equal(seen.get('npm_config_registry'), OUTER_NPM_ENV.npm_config_registry);
  }
});

test('a second run reuses the cached tools and runs no npm at all', () => {
  const record = join(work, 'record');
  const before = readdirSync(record).length;
  const r = spawnSync('bash', [SCRIPT], {
    encoding: 'utf8',
    env: { PATH: `${join(work, 'bin')}:${process.env.PATH}`, HOME: work, SQLMIG_E2E_TOOLS: join(work, 'tools'), ...OUTER_NPM_ENV },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readdirSync(record).length, before);
});
