// The packages this repository publishes: the root package.json's workspaces that are not
// private, in the order the workspaces list them (a package another one builds against comes
// first there). Read by build-if-needed, lint-packages and release-version, so a new package under
// packages/ needs no edit in any of them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every workspace folder (repository-relative), `dir/*` entries expanded in name order. */
export function workspaceDirs() {
  const { workspaces = [] } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const dirs = workspaces.flatMap((entry) => {
    if (!entry.endsWith('/*')) return [entry];
    const parent = entry.slice(0, -2);
    return readdirSync(join(root, parent), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => `${parent}/${d.name}`)
      .sort();
  });
  return [...new Set(dirs)].filter((dir) => existsSync(join(root, dir, 'package.json')));
}

/**
 * In the order they build and publish in: a package after the packages it depends on (any kind of
 * dependency: a type check reads their declarations), else in the workspaces' order.
 * @returns {{ dir: string, path: string, name: string, version: string, manifest: Record<string, any> }[]}
 *   dir is the folder's name under packages/ (what `WHATSUP_PKG` takes), path the repository-relative folder.
 */
export function publishedPackages() {
  const all = workspaceDirs()
    .map((path) => ({ path, manifest: JSON.parse(readFileSync(join(root, path, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => !manifest.private)
    .map(({ path, manifest }) => ({
      dir: path.split('/').pop(),
      path,
      name: manifest.name,
      version: manifest.version,
      manifest,
    }));
  const byName = new Map(all.map((pkg) => [pkg.name, pkg]));
  const ordered = [];
  const visiting = new Set();
  const visit = (pkg) => {
    if (ordered.includes(pkg)) return;
    if (visiting.has(pkg))
      throw new Error(`the packages depend on each other in a cycle through ${pkg.name}`);
    visiting.add(pkg);
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'])
      for (const name of Object.keys(pkg.manifest[field] ?? {}))
        if (byName.has(name)) visit(byName.get(name));
    visiting.delete(pkg);
    ordered.push(pkg);
  };
  for (const pkg of all) visit(pkg);
  return ordered;
}
