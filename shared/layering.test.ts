/**
 * Keeps the layering of STYLE.md true by reading every import of the project's TypeScript files:
 * shared/ imports only yjs, y-protocols, lib0 and socket.io-parser (the wire framing); storage/ never imports server/ or client/;
 * client/ never imports server/ or storage/; only server/socketio-transport.ts imports socket.io;
 * server/ takes from client/ only the DOM-free document modules.
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
  it('finds imports at all (the reader works)', () => {
    assert.ok(importsOf(path.join(root, 'server/room.ts')).includes('yjs'));
  });

  it('shared/ imports only yjs, y-protocols, lib0, socket.io-parser and itself', () => {
    // socket.io-parser: the framing both ends share (socketio-parser.ts).
    const allowed = new Set(['yjs', 'y-protocols', 'lib0', 'socket.io-parser']);
    const bad = violations('shared', (file, _spec, t) => {
      if (file.endsWith('.test.ts')) return null;
      if (t.folder !== null) return t.folder === 'shared' ? null : 'project folder';
      return t.pkg !== null && allowed.has(t.pkg) ? null : 'package';
    });
    assert.deepEqual(bad, []);
  });

  it('storage/ never imports server/ or client/', () => {
    assert.deepEqual(violations('storage', (_f, _s, t) => (t.folder === 'server' || t.folder === 'client' ? 'forbidden folder' : null)), []);
  });

  it('client/ never imports server/ or storage/', () => {
    assert.deepEqual(violations('client', (_f, _s, t) => (t.folder === 'server' || t.folder === 'storage' ? 'forbidden folder' : null)), []);
  });

  it('only server/socketio-transport.ts imports socket.io', () => {
    const bad: string[] = [];
    for (const folder of ['shared', 'storage', 'server', 'client']) {
      bad.push(
        ...violations(folder, (file, _spec, t) =>
          t.pkg === 'socket.io' && path.relative(root, file) !== path.join('server', 'socketio-transport.ts') && !file.endsWith('.test.ts') ? 'socket.io outside the transport' : null,
        ),
      );
    }
    assert.deepEqual(bad, []);
  });

  it('server/ takes from client/ only the DOM-free document modules', () => {
    const allowed = new Set(['client/editor/schema.js', 'client/editor/title.js', 'client/editor/safe-href.js', 'client/provider.js']);
    const bad = violations('server', (file, _spec, t) => {
      if (t.folder !== 'client' || t.resolved === null) return null;
      if (t.resolved === 'client/provider.js' && !(file.endsWith('.test.ts') || file.includes('test-support'))) return 'provider outside tests';
      return allowed.has(t.resolved) ? null : 'not a DOM-free document module';
    });
    assert.deepEqual(bad, []);
  });
});
