import type { CSSResult } from 'lit';
import type { EditorLit } from './editor-lit.js';

/**
 * The status editor, its emoji picker and the presets: a dialog in the top layer over my row.
 * Part of the editor's chunk: the panel adds them to its shadow root when the chunk arrives.
 */
export const editorStyles = ({ css }: EditorLit): CSSResult => css`
  .pop {
    display: grid;
    gap: 0.625rem;
  }
  .erow,
  .chips,
  .picker div {
    display: flex;
    flex-wrap: wrap;
    align-items: end;
    gap: 0.375rem;
  }
  .end {
    justify-content: end;
    align-items: center;
  }
  .pop .primary {
    margin: 0;
  }
  .pop .hint,
  .pop .counter {
    margin: 0;
    align-self: center;
  }
  /* The emoji field and its ▾ are one control. */
  .emo {
    inline-size: 2.75rem;
    text-align: center;
    padding-inline: 0;
    border-start-end-radius: 0;
    border-end-end-radius: 0;
  }
  .emo::placeholder {
    opacity: 0.45;
  }
  .text {
    flex: 1;
    inline-size: 8rem;
  }
  .pick {
    font-size: 0.75rem;
    min-inline-size: 1.75rem;
    align-self: stretch;
    margin-inline-start: -0.375rem;
    border: 1px solid var(--_border);
    border-inline-start: 0;
    border-start-start-radius: 0;
    border-end-start-radius: 0;
    color: var(--_muted);
  }
  .picker {
    border: 1px solid var(--_border);
    border-radius: 8px;
    padding: 0.25rem;
  }
  .pop label {
    display: grid;
    gap: 0.25rem;
    flex: 1 9rem;
    margin: 0;
    font-size: 0.8125rem;
  }
  select {
    font: inherit;
    font-weight: 400;
    color: inherit;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: 6px;
    padding: 0.4rem;
  }
  /* Eight a row, as the arrow keys move, however narrow the editor is. */
  .picker div {
    display: grid;
    grid-template-columns: repeat(8, minmax(0, 2rem));
    gap: 0.125rem;
  }
  .picker [role='option'] {
    display: grid;
    place-items: center;
    aspect-ratio: 1;
    font-size: 1.25rem;
    border-radius: 6px;
    cursor: pointer;
  }
  .picker [role='option']:hover,
  .chip:hover {
    background: color-mix(in srgb, var(--_accent) 10%, transparent);
  }
  .picker [aria-selected='true'],
  .chip[aria-pressed='true'] {
    background: color-mix(in srgb, var(--_accent) 20%, transparent);
    border-color: var(--_accent);
  }
  .chip {
    background: none;
    border: 1px solid var(--_border);
    border-radius: 999px;
    padding: 0.25rem 0.75rem;
    min-block-size: 2rem;
  }
`;
