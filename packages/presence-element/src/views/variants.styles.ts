import { css } from 'lit';

/** `variant="compact"` (one line per person) and `variant="stack"` (overlapping avatars on a button). */
export const variantStyles = css`
  :host([variant='compact']) .row {
    min-block-size: 2rem;
    padding-block: 0.125rem;
    grid-template-columns: auto minmax(0, max-content) minmax(3rem, 1fr) auto;
  }
  :host([variant='compact']) .who {
    display: contents;
  }
  :host([variant='compact']) .av {
    --_avatar: 1.5rem;
  }
  :host([variant='compact']) .avatar {
    font-size: 0.625rem;
  }
  :host([variant='compact']) .dot {
    inline-size: 0.5rem;
    block-size: 0.5rem;
    border-width: 1.5px;
  }
  .stack {
    display: inline-flex;
    align-items: center;
    gap: 0.5rem;
    padding: 0.125rem;
    padding-inline-end: 0.625rem;
    border: 1px solid var(--_border);
    border-radius: 999px;
    background: var(--_bg);
  }
  .stack .av {
    border: 2px solid var(--_bg);
    border-radius: 50%;
  }
  .stack .av + .av {
    margin-inline-start: -1.125rem;
  }
  .stack .dot {
    display: none;
  }
  .more {
    font-weight: 600;
    font-variant-numeric: tabular-nums;
  }
`;
