#!/usr/bin/env node
// `npm test`: builds the project, makes sure a browser is there for the e2e tests, then runs every
// *.test.ts file with Node's test runner in one run, so the summary at the end counts them all.
// Arguments narrow the run to files whose path contains one of them: `npm test -- storage e2e/view`.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const folders = ['shared', 'document', 'storage', 'server', 'client', 'test', 'e2e'];
const filters = process.argv.slice(2);

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) found.push(...findTests(full));
    else if (name.endsWith('.test.ts')) found.push(path.relative(root, full));
  }
  return found;
}

function run(command, args, what) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    console.error(`\n${what} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}

const files = folders
  .flatMap((folder) => {
    try {
      return findTests(path.join(root, folder));
    } catch {
      return [];
    }
  })
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();

if (files.length === 0) {
  console.error('No test files matched.');
  process.exit(1);
}

if (process.env.SKIP_BUILD !== '1') run('npm', ['run', '--silent', 'build'], 'The build');
if (files.some((file) => file.startsWith('e2e/'))) run(process.execPath, ['scripts/ensure-browser.mjs'], 'Finding a browser');

const concurrency = process.env.TEST_CONCURRENCY ?? '2';
run(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], 'The tests');
