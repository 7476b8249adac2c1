// rollup.config.mjs cut into jobs that build-if-needed runs side by side, one rollup process each.
// Configs with the same input and the same plugins (the element's classic-script and ES-module
// bundles) become one job with several outputs: their modules are read, compiled and tree-shaken
// once, then written (and minified) once per output, which is what rollup does for a config with an
// output list. Each job is named by its first output file or folder.
//   rollup -c scripts/rollup-jobs.mjs         with WHATSUP_JOB=<name>: that job; without: all of them
import configs from '../rollup.config.mjs';

const outputsOf = (config) => [config.output].flat();
const where = (output) => output.file ?? output.dir;
const pluginNames = (config) => (config.plugins ?? []).map((p) => p?.name).join(',');

/** @type {{ name: string, config: import('rollup').RollupOptions }[]} */
export const jobs = [];
for (const config of configs) {
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
