// rollup.config.mjs cut into jobs that build-if-needed runs side by side, one rollup process each
// (for `npm start`, with TypeScript compiled file by file: transpileOnly() below).
// Configs with the same input and the same plugins (the element's classic-script and ES-module
// bundles) become one job with several outputs: their modules are read, compiled and tree-shaken
// once, then written (and minified) once per output, which is what rollup does for a config with an
// output list. Each job is named by its first output file or folder.
//   rollup -c scripts/rollup-jobs.mjs         with WHATSUP_JOB=<name>: that job; without: all of them
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import configs from '../rollup.config.mjs';

/**
 * For `npm start` (WHATSUP_BUILD=start): each .ts file compiled on its own with ts.transpileModule
 * and its package's tsconfig.json, in place of @rollup/plugin-typescript, which first builds a
 * program of every file and declaration it can reach (@types/node, lit, express…): most of a
 * start build's time, though nothing is checked (noCheck). Our tsconfig has isolatedModules and
 * verbatimModuleSyntax, so a file compiles alone exactly as in the program: the JavaScript is the
 * full build's, byte for byte (bundles included; checked when this was written). The type check
 * is `npm run build`'s.
 */
function transpileOnly() {
  const options = new Map();
  const optionsFor = (id) => {
    let dir = dirname(id);
    while (!existsSync(join(dir, 'tsconfig.json'))) dir = dirname(dir);
    if (!options.has(dir)) {
      const parsed = ts.getParsedCommandLineOfConfigFile(
        join(dir, 'tsconfig.json'),
        {},
        {
          ...ts.sys,
          onUnRecoverableConfigFileDiagnostic: (d) => {
            throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
          },
        },
      );
      options.set(dir, {
        ...parsed.options,
        module: ts.ModuleKind.ESNext,
        declaration: false,
        sourceMap: true,
      });
    }
    return options.get(dir);
  };
  return {
    name: 'typescript',
    resolveId(source, importer) {
      // `./x.js` in our TypeScript is ./x.ts
      if (!importer?.endsWith('.ts') || !source.startsWith('.') || !source.endsWith('.js')) return null;
      const file = resolve(dirname(importer), `${source.slice(0, -3)}.ts`);
      return existsSync(file) ? file : null;
    },
    transform(code, id) {
      if (!id.endsWith('.ts') || id.endsWith('.d.ts') || id.includes('/node_modules/')) return null;
      const out = ts.transpileModule(code, { fileName: id, compilerOptions: optionsFor(id) });
      return { code: out.outputText.replace(/\n\/\/# sourceMappingURL=.*$/, ''), map: out.sourceMapText };
    },
  };
}

const outputsOf = (config) => [config.output].flat();
const where = (output) => output.file ?? output.dir;
const pluginNames = (config) => (config.plugins ?? []).map((p) => p?.name).join(',');

const forStart = process.env.WHATSUP_BUILD === 'start';

/** @type {{ name: string, config: import('rollup').RollupOptions }[]} */
export const jobs = [];
for (const original of configs) {
  const config = forStart
    ? { ...original, plugins: original.plugins?.map((p) => (p?.name === 'typescript' ? transpileOnly() : p)) }
    : original;
  const same = jobs.find(
    ({ config: other }) =>
      JSON.stringify(other.input) === JSON.stringify(config.input) &&
      pluginNames(other) === pluginNames(config),
  );
  if (same) same.config = { ...same.config, output: [...outputsOf(same.config), ...outputsOf(config)] };
  else jobs.push({ name: where(outputsOf(config)[0]), config });
}

const wanted = process.env.WHATSUP_JOB;
if (wanted && !jobs.some((job) => job.name === wanted))
  throw new Error(`WHATSUP_JOB must be one of ${jobs.map((job) => job.name).join(', ')}, got '${wanted}'`);
export default jobs.filter((job) => !wanted || job.name === wanted).map((job) => job.config);
