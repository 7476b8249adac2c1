import { css } from 'lit';

/** `variant="compact"` (one line per person) and `variant="stack"` (overlapping avatars on a button). */
export const variantStyles = css`
  :host([variant='compact']) .row {
    min-block-size: 2rem;
    padding-block: 0.125rem;
    grid-template-columns: auto minmax(0, max-content) minmax(3rem, 1fr) auto;
  }
  :host([variant='compact']) :is(.av, .line, .sline, .time) {
    grid-row: 1;
    grid-column: auto;
  }
  /* One line on a phone leaves no room for the time: it goes to the status's title. (The panel is
     the container, not the scrolling list: WebKit loses a container's scroll position.) */
  :host([variant='compact']) .panel {
    container: list / inline-size;
  }
  @container list (max-width: 23rem) {
    :host([variant='compact']) .time {
      display: none;
    }
  }
  :host([variant='compact']) .av {
    --_avatar: 1.5rem;
  }
  :host([variant='compact']) .avatar {
    font-size: 0.625rem;
  }
  :host([variant='compact']) .dot {
    inline-size: 0.75rem;
    block-size: 0.75rem;
  }
  .stack {
    display: inline-flex;
    align-items: center;
    gap: 0.5rem;
    padding: 0.1875rem;
    padding-inline-end: 0.75rem;
    border: 1px solid var(--_border);
    border-radius: 999px;
    background: var(--_bg);
  }
  .in-stack {
    display: flex;
    position: relative;
  }
  .in-stack + .in-stack {
    margin-inline-start: -0.625rem;
  }
  /* Each avatar is ringed in the panel's colour, so the next one never cuts into its initials. */
  .in-stack .avatar {
    box-shadow: 0 0 0 2px var(--_bg);
  }
  .in-stack .dot {
    inline-size: 0.75rem;
    block-size: 0.75rem;
  }
  .more {
    font-weight: 600;
    font-variant-numeric: tabular-nums;
    margin-inline-start: 0.125rem;
  }
`;
