// Reading the READMEs as a newcomer does: fenced blocks, exactly as printed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './support.js';

export interface Fence {
  file: string;
  lang: string;
  /** The heading the block sits under. */
  heading: string;
  text: string;
}

/** Every fenced block of a Markdown file (repository-relative path), indentation removed. */
export function fences(file: string): Fence[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const found: Fence[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w*)\s*$/.exec(lines[i]!);
    if (!open) {
      const h = /^#+\s+(.*)$/.exec(lines[i]!);
      if (h) heading = h[1]!.trim();
      continue;
    }
    const indent = open[1]!.length;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]!); i++) body.push(lines[i]!.slice(indent));
    found.push({ file, lang: open[2]!, heading, text: body.join('\n') });
  }
  return found;
}

/**
 * The commands of a shell block: one per line, backslash continuations joined, comments
 * (`# …` at the start of a line or after two spaces) and output lines dropped.
 */
export function commands(text: string): string[] {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.replace(/\s{2,}#.*$/, '').trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.replace(/\s+/g, ' '));
}
