import { css, html, nothing } from 'lit';
import type { StatusEditor } from './status-editor.js';
import { importEditor } from './editor-module.js';

let loading: Promise<StatusEditor> | undefined;

/**
 * The status editor, its emoji picker and presets, loaded once, on first use or ahead of it (a
 * hover or focus of my row): nobody who never edits downloads them. The chunk is a function of
 * the panel's lit, so the bundles hold lit once. A load that failed is tried again next time.
 */
export function loadEditor(): Promise<StatusEditor> {
  loading ??= importEditor().then(
    (m) => m.default({ html, css, nothing }),
    (err: unknown) => {
      loading = undefined;
      throw err;
    },
  );
  return loading;
}
