// docs/architecture.md and CONTRIBUTING.md stay true as the code moves: every file path they write
// exists, the code map names every source file of every package, and every `npm run` they name is a
// script. A renamed, added or removed file fails here until the page says so.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { root } from './support.js';

const DOCS = ['docs/architecture.md', 'CONTRIBUTING.md'];

describe('docs/architecture.md and CONTRIBUTING.md', () => {
  for (const doc of DOCS) {
    describe(doc, () => {
      it('should name only files and folders that exist', () => {
        const paths = writtenPaths(doc);
        assert.ok(paths.length > 10, `${doc} names ${paths.length} paths: is the parser still reading it?`);
        const missing = paths
          .filter((p) => !existsSync(join(root, p.path)))
          .map((p) => `${p.path} (${p.as})`);
        // each once, however often the page names it
        assert.deepEqual([...new Set(missing)], [], `${doc} names paths that do not exist`);
      });

      it('should name only npm scripts that exist', () => {
        const runs = npmRuns(read(doc));
        const unknown = runs.filter((r) => !scriptsOf(r.workspace).has(r.script)).map((r) => r.command);
        assert.deepEqual(unknown, [], `${doc} names npm scripts that package.json does not have`);
      });
    });
  }

  it('should list every source file of every package in the code map, once', () => {
    const map = section(read('docs/architecture.md'), 'Code map');
    const listed = [...map.matchAll(/`([^`\s]+\.ts)`/g)].map((m) => m[1]!);
    const sources = readdirSync(join(root, 'packages')).flatMap((pkg) => {
      const src = join('packages', pkg, 'src');
      return existsSync(join(root, src)) ? sourceFiles(src) : [];
    });
    assert.ok(sources.length > 50, `found ${sources.length} source files: is the walk still right?`);
    assert.deepEqual(
      sources.filter((file) => !listed.includes(file)),
      [],
      'source files missing from the code map of docs/architecture.md',
    );
    assert.deepEqual(
      listed.filter((file, i) => listed.indexOf(file) !== i),
      [],
      'files listed twice in the code map',
    );
  });

  it('should link CONTRIBUTING.md from the README', () => {
    assert.ok(/\]\(CONTRIBUTING\.md\)/.test(read('README.md')), 'README.md has no link to CONTRIBUTING.md');
  });

  it('should tell a path from other code spans', () => {
    // The parser's own cases, so a change to it that stops seeing paths fails here, not silently.
    const found = (text: string) => pathsIn(text, 'docs/x.md').map((p) => p.path);
    assert.deepEqual(
      found(
        '`packages/express/src/router.ts`, `RELEASING.md`, `e2e/`, `.ci/run`, `.js`, [guide](../CONTRIBUTING.md#release), ' +
          '[npm](https://www.npmjs.com/), [top](#top), `@whatsup/express`, `/config`, `pusher:subscribe`, ' +
          '`npm run build`, `packages/*/src`, `presence-whatsup-invisible-…`, `user_info`, `Roster.added()`',
      ),
      ['packages/express/src/router.ts', 'RELEASING.md', 'e2e', '.ci/run', 'CONTRIBUTING.md'],
    );
    assert.deepEqual(
      npmRuns(
        '`npm run test:e2e`, npm test, `WTR_BROWSERS=chromium npm run test:browser`, npm run analyze -w @whatsup/presence',
      ),
      [
        { command: 'npm run test:e2e', script: 'test:e2e', workspace: undefined },
        { command: 'npm test', script: 'test', workspace: undefined },
        { command: 'npm run test:browser', script: 'test:browser', workspace: undefined },
        {
          command: 'npm run analyze -w @whatsup/presence',
          script: 'analyze',
          workspace: '@whatsup/presence',
        },
      ],
    );
  });
});

interface WrittenPath {
  /** Relative to the repository root. */
  path: string;
  /** As written, for the message. */
  as: string;
}

/** The file paths a Markdown file names: in code spans (from the root) and in links (from the file). */
function writtenPaths(doc: string): WrittenPath[] {
  return pathsIn(read(doc), doc);
}

function pathsIn(text: string, doc: string): WrittenPath[] {
  const found: WrittenPath[] = [];
  // Fenced blocks hold code and commands, not references.
  const prose = text.replace(/^\s*```[\s\S]*?^\s*```\s*$/gm, '');
  for (const [, span] of prose.matchAll(/`([^`\n]+)`/g)) {
    if (looksLikePath(span!)) found.push({ path: span!.replace(/\/$/, ''), as: `\`${span}\`` });
  }
  for (const [, target] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(target!) || target!.startsWith('#')) continue;
    const path = posix.normalize(posix.join(posix.dirname(doc), target!.replace(/#.*$/, '')));
    found.push({ path, as: `(${target})` });
  }
  return found;
}

/**
 * A code span that is a path from the repository root: a relative path with a folder in it, or a
 * file name with a known extension. Globs, placeholders, package names, routes, protocol names and
 * anything with a space are not.
 */
function looksLikePath(span: string): boolean {
  if (!/^[\w.-]+(\/[\w.@-]+)*\/?$/.test(span)) return false;
  // `.js` is an extension and `-w` a flag; `.ci/run` is a path.
  if (span.startsWith('-') || (span.startsWith('.') && !span.includes('/'))) return false;
  return span.includes('/') || /\.(md|ts|mjs|cjs|js|json|html|css|png|yml|yaml)$/.test(span);
}

/** `npm run X` (with the workspace of `-w`/`--workspace`, if any), `npm test` and `npm start`. */
function npmRuns(text: string): { command: string; script: string; workspace: string | undefined }[] {
  const runs = [];
  for (const m of text.matchAll(
    /npm (?:run ([\w:.-]+)((?: +(?:-w|--workspace)[ =][^\s`]+)?)|(test|start)\b)/g,
  )) {
    const workspace = /(?:-w|--workspace)[ =]([^\s`]+)/.exec(m[2] ?? '')?.[1];
    runs.push({ command: m[0].trim(), script: m[1] ?? m[3]!, workspace });
  }
  return runs;
}

/** The scripts of the root package.json, or of the workspace named (by package name or folder). */
function scriptsOf(workspace: string | undefined): Set<string> {
  const manifest = (dir: string) =>
    JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
      name: string;
      scripts?: Record<string, string>;
      workspaces?: string[];
    };
  if (workspace === undefined) return new Set(Object.keys(manifest('.').scripts ?? {}));
  const folders = (manifest('.').workspaces ?? []).flatMap((w) =>
    w.endsWith('/*')
      ? readdirSync(join(root, w.slice(0, -2))).map((name) => posix.join(w.slice(0, -2), name))
      : [w],
  );
  const folder = folders.find(
    (dir) =>
      existsSync(join(root, dir, 'package.json')) && (dir === workspace || manifest(dir).name === workspace),
  );
  return new Set(folder ? Object.keys(manifest(folder).scripts ?? {}) : []);
}

/** Every `.ts` file under `dir` (from the root), tests (`test/` folders) left out. */
function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = posix.join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return name === 'test' ? [] : sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The text under a `##` heading, up to the next `##` heading. */
function section(text: string, heading: string): string {
  const start = text.search(new RegExp(`^## ${heading}\\s*$`, 'm'));
  assert.notEqual(start, -1, `no "## ${heading}" heading`);
  const rest = text.slice(start + 3);
  const end = rest.search(/^## /m);
  return end === -1 ? rest : rest.slice(0, end);
}

function read(file: string): string {
  return readFileSync(join(root, file), 'utf8');
}
