/**
 * Keeps the layering true by reading every import of the project's TypeScript files (see the
 * README's architecture section):
 * - shared/ imports only yjs, y-protocols, lib0 and socket.io-parser (the wire framing);
 * - document/ imports only shared/ and the document libraries, and uses no browser DOM;
 * - storage/ imports no server/, client/ or document/ code;
 * - client/ imports no server/ or storage/ code;
 * - server/core/ imports no transport, cluster or HTTP code;
 * - only server/transport/ imports socket.io and ws, only server/cluster/ imports ioredis and the
 *   Socket.IO Redis adapter;
 * - nothing but tests imports test/.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts')) out.push(full);
    }
  };
  walk(path.join(root, folder));
  return out;
}

/** Module specifiers of a file's static and dynamic imports and re-exports. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:^|\s)(?:import|export)\s[^'"`;]*?from\s+['"]([^'"]+)['"]/gm)) found.push(match[1]!);
  for (const match of text.matchAll(/(?:^|\s)import\s+['"]([^'"]+)['"]/gm)) found.push(match[1]!);
  for (const match of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(match[1]!);
  return found;
}

/** The project folder a relative import lands in, or the package name of a bare one. */
function target(file: string, specifier: string): { folder: string | null; pkg: string | null; resolved: string | null } {
  if (specifier.startsWith('.')) {
    const resolved = path.relative(root, path.resolve(path.dirname(file), specifier));
    return { folder: resolved.split(path.sep)[0] ?? null, pkg: null, resolved };
  }
  if (specifier.startsWith('node:')) return { folder: null, pkg: specifier, resolved: null };
  const parts = specifier.split('/');
  return { folder: null, pkg: specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!, resolved: null };
}

function violations(folder: string, check: (file: string, spec: string, t: ReturnType<typeof target>) => string | null): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(folder)) {
    for (const spec of importsOf(file)) {
      const problem = check(file, spec, target(file, spec));
      if (problem) found.push(`${path.relative(root, file)}: ${spec} (${problem})`);
    }
  }
  return found;
}

describe('layering', () => {
  const isTest = (file: string): boolean => file.endsWith('.test.ts') || file.includes(`${path.sep}test${path.sep}`);
  const rel = (file: string): string => path.relative(root, file);

  it('finds imports at all (the reader works)', () => {
    assert.ok(importsOf(path.join(root, 'server/core/room.ts')).includes('yjs'));
    assert.ok(importsOf(path.join(root, 'server/core/room.ts')).includes('../../shared/errors.js'));
  });

  it('shared/ imports only yjs, y-protocols, lib0, socket.io-parser and itself', () => {
    const allowed = new Set(['yjs', 'y-protocols', 'lib0', 'socket.io-parser']);
    const bad = violations('shared', (file, _spec, t) => {
      if (file.endsWith('.test.ts')) return null;
      if (t.folder !== null) return t.folder === 'shared' ? null : 'project folder';
      return t.pkg !== null && allowed.has(t.pkg) ? null : 'package';
    });
    assert.deepEqual(bad, []);
  });

  it('document/ imports only shared/ and the document libraries', () => {
    const allowed = new Set(['yjs', 'y-prosemirror', 'prosemirror-model', 'prosemirror-markdown', 'prosemirror-tables', 'markdown-it', 'linkedom']);
    const bad = violations('document', (file, _spec, t) => {
      if (file.endsWith('.test.ts')) return null;
      if (t.folder !== null) return t.folder === 'document' || t.folder === 'shared' ? null : 'project folder';
      return t.pkg !== null && (allowed.has(t.pkg) || t.pkg.startsWith('node:')) ? null : 'package';
    });
    assert.deepEqual(bad, []);
  });

  it('document/ uses no browser DOM (the server runs it in Node)', () => {
    const bad: string[] = [];
    for (const file of sourceFiles('document')) {
      if (file.endsWith('.test.ts')) continue;
      const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      const found = /\b(window|navigator|localStorage|sessionStorage|indexedDB|location)\b|globalThis\.(document|window)/.exec(text);
      if (found) bad.push(`${rel(file)}: ${found[0]}`);
    }
    assert.deepEqual(bad, []);
  });

  it('storage/ imports no server/, client/ or document/ code', () => {
    assert.deepEqual(violations('storage', (_f, _s, t) => (t.folder === 'server' || t.folder === 'client' || t.folder === 'document' ? 'forbidden folder' : null)), []);
  });

  it('client/ imports no server/ or storage/ code', () => {
    assert.deepEqual(violations('client', (_f, _s, t) => (t.folder === 'server' || t.folder === 'storage' ? 'forbidden folder' : null)), []);
  });

  it('server/core/ imports no transport, cluster or HTTP code, and no socket.io or Redis', () => {
    const bad = violations(path.join('server', 'core'), (_file, _spec, t) => {
      if (t.resolved !== null && /^server[\\/](transport|cluster|http)[\\/]/.test(t.resolved)) return 'outer layer';
      if (t.pkg !== null && /^(socket\.io|ws$|ioredis|@socket\.io\/|express)/.test(t.pkg)) return 'transport package';
      return null;
    });
    assert.deepEqual(bad, []);
  });

  it('on the server only server/transport/ imports socket.io and ws; only server/cluster/ imports ioredis and the Redis adapter', () => {
    const bad: string[] = [];
    for (const folder of ['shared', 'document', 'storage', 'server', 'client']) {
      bad.push(
        ...violations(folder, (file, _spec, t) => {
          if (isTest(file)) return null;
          const where = rel(file);
          if (t.pkg === 'socket.io' && !where.startsWith(path.join('server', 'transport') + path.sep)) return 'socket.io outside server/transport';
          // The provider may open a WebSocket with ws in Node (client/); the server only in its transports.
          if (t.pkg === 'ws' && where.startsWith('server' + path.sep) && !where.startsWith(path.join('server', 'transport') + path.sep)) return 'ws outside server/transport';
          if ((t.pkg === 'ioredis' || t.pkg === '@socket.io/redis-adapter') && !where.startsWith(path.join('server', 'cluster') + path.sep)) return 'Redis outside server/cluster';
          return null;
        }),
      );
    }
    assert.deepEqual(bad, []);
  });

  it('nothing but tests imports test/', () => {
    const bad: string[] = [];
    for (const folder of ['shared', 'document', 'server', 'client']) {
      bad.push(...violations(folder, (file, _spec, t) => (!isTest(file) && t.folder === 'test' ? 'test code in the product' : null)));
    }
    assert.deepEqual(bad, []);
  });
});
