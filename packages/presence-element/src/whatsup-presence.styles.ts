import { css } from 'lit';

// Logical properties throughout (inline/block, start/end): the same sheet lays out right to left.
export const styles = css`
  :host {
    display: block;
    max-inline-size: var(--whatsup-max-width, 28rem);
    font: 0.875rem/1.25rem var(--whatsup-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    color: var(--whatsup-fg, #1d2330);
    --_bg: var(--whatsup-bg, #fff);
    --_muted: var(--whatsup-muted, #5b6475);
    --_border: var(--whatsup-border, #d9dde5);
    --_accent: var(--whatsup-accent, #5b3cc4);
    --_accent-fg: var(--whatsup-accent-fg, #fff);
    --_highlight: var(--whatsup-highlight, #fff3c4);
    --_radius: var(--whatsup-radius, 12px);
    --_avatar: var(--whatsup-avatar-size, 2rem);
    --_danger: var(--whatsup-danger, #b3261e);
    --_online: #1e8e3e;
    --_away: #c77700;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      color: var(--whatsup-fg, #e8eaf0);
      --_bg: var(--whatsup-bg, #1b1f29);
      --_muted: var(--whatsup-muted, #a3aabb);
      --_border: var(--whatsup-border, #363c4c);
      --_accent: var(--whatsup-accent, #a48cff);
      --_accent-fg: var(--whatsup-accent-fg, #14111f);
      --_highlight: var(--whatsup-highlight, #4a3f12);
      --_danger: var(--whatsup-danger, #ff8a80);
      --_online: #5bd47a;
      --_away: #f5b53d;
    }
  }
  :host([hidden]),
  [hidden] {
    display: none !important;
  }
  .panel,
  .people,
  .pop {
    background: var(--_bg);
    color: inherit;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.75rem;
  }
  :host([variant='stack']) .panel {
    display: inline-block;
    border: 0;
    padding: 0;
    background: none;
  }
  .head {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 0.5rem;
    margin-block-end: 0.25rem;
  }
  .title {
    font-size: 0.875rem;
    font-weight: 600;
    margin: 0;
    padding-inline: 0.5rem;
  }
  .form .title {
    padding: 0;
    margin-block-end: 0.5rem;
  }
  .hint,
  .time,
  .loading,
  .you,
  .counter {
    color: var(--_muted);
  }
  .hint,
  .loading {
    margin: 0.25rem 0.5rem;
  }
  .form {
    display: grid;
    gap: 0.35rem;
  }
  label {
    font-weight: 600;
    margin-block-start: 0.35rem;
  }
  input,
  textarea {
    font: inherit;
    color: inherit;
    background: transparent;
    border: 1px solid var(--_border);
    border-radius: 6px;
    padding: 0.45rem 0.6rem;
    box-sizing: border-box;
    inline-size: 100%;
  }
  [aria-invalid='true'] {
    border-color: var(--_danger);
  }
  button {
    font: inherit;
    color: inherit;
    cursor: pointer;
  }
  .primary {
    background: var(--_accent);
    color: var(--_accent-fg);
    border: 1px solid var(--_accent);
    border-radius: 6px;
    padding: 0.45rem 1rem;
    justify-self: start;
    margin-block-start: 0.5rem;
    font-weight: 600;
  }
  .primary[disabled] {
    opacity: 0.6;
    cursor: progress;
  }
  .link {
    background: none;
    border: 0;
    padding: 0.25rem 0.5rem;
    border-radius: 6px;
    color: var(--_muted);
    text-decoration: none;
    white-space: nowrap;
  }
  .link:hover {
    color: inherit;
    background: color-mix(in srgb, currentColor 8%, transparent);
  }
  .icon {
    background: none;
    border: 0;
    font-size: 1.25rem;
    line-height: 1;
    padding: 0.125rem 0.375rem;
    border-radius: 6px;
  }
  :focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 1px;
  }
  .field-error,
  .error,
  .notice {
    color: var(--_danger);
    margin: 0;
  }
  .notice {
    color: inherit;
    padding: 0.5rem;
    border-radius: 6px;
    background: color-mix(in srgb, var(--_accent) 12%, transparent);
  }
  .row .field-error {
    grid-column: 2 / -1;
    font-size: 0.8125rem;
  }
  .list {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  /* A big room scrolls inside the panel, which renders only the rows in view. */
  .windowed {
    max-block-size: var(--whatsup-list-height, 24rem);
    overflow-y: auto;
    overscroll-behavior: contain;
  }
  .spacer {
    padding: 0;
  }
  /* an input: the rest (font, border, full width, the focus ring) is every input's */
  .filter {
    min-block-size: 2.25rem;
    margin-block-end: 0.5rem;
    padding: 0.375rem 0.625rem;
    background: var(--_bg);
    border-radius: 8px;
  }
  /* A fixed height: a clock tick, an edit or a missing status never moves the rows below. */
  .row {
    display: grid;
    grid-template-columns: auto minmax(0, 1fr) auto;
    align-items: center;
    column-gap: 0.625rem;
    min-block-size: 2.75rem;
    box-sizing: border-box;
    padding: 0.25rem 0.5rem;
    border-radius: 8px;
  }
  .row:hover {
    background: color-mix(in srgb, var(--_accent) 6%, transparent);
  }
  .flash {
    animation: flash 1.6s ease-out;
  }
  @keyframes flash {
    from {
      background: var(--_highlight);
    }
  }
  .who {
    display: grid;
    min-inline-size: 0;
    line-height: 1.125rem;
  }
  .line {
    display: flex;
    gap: 0.25rem;
    min-inline-size: 0;
  }
  .name {
    font-weight: 600;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .you {
    flex: none;
  }
  .status {
    display: block;
    min-inline-size: 0;
    block-size: 1.125rem;
    margin: 0;
    padding: 0;
    border: 0;
    background: none;
    text-align: start;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    color: var(--_muted);
    cursor: default;
  }
  /* Names and statuses take their own direction (dir=auto) but line up with the panel's start. */
  [dir='rtl'] .name,
  [dir='rtl'] .status {
    text-align: right;
  }
  .status.mine {
    color: inherit;
    cursor: pointer;
    border-radius: 4px;
  }
  .status.mine:hover {
    background: color-mix(in srgb, var(--_accent) 10%, transparent);
  }
  .status.empty {
    color: var(--_muted);
    font-style: italic;
  }
  .open {
    align-items: start;
  }
  .open .status {
    block-size: auto;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .time,
  .counter {
    grid-column: -2;
    font-size: 0.75rem;
    white-space: nowrap;
    font-variant-numeric: tabular-nums;
  }
  .counter.over {
    color: var(--_danger);
  }
  .av {
    position: relative;
    display: block;
    inline-size: var(--_avatar);
    block-size: var(--_avatar);
  }
  .avatar {
    box-sizing: border-box;
    inline-size: 100%;
    block-size: 100%;
    border-radius: 50%;
    display: grid;
    place-items: center;
    font-size: 0.75rem;
    font-weight: 600;
    color: #fff;
    background: #455a64;
    object-fit: cover;
  }
  .dot {
    position: absolute;
    inset-block-end: -1px;
    inset-inline-end: -1px;
    inline-size: 0.625rem;
    block-size: 0.625rem;
    border-radius: 50%;
    background: var(--_online);
    border: 2px solid var(--_bg);
    box-sizing: border-box;
  }
  /* presence (issue 14): the dot's look per state; the words beside the name say the same */
  .presence {
    min-inline-size: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    font-size: 0.75rem;
    color: var(--_muted);
  }
  /* On a narrow row the name keeps most of the room; the words give way first. */
  .line:has(.presence) .name {
    flex-shrink: 0;
    max-inline-size: 65%;
  }
  .away .dot {
    background: var(--_bg);
    box-shadow: inset 0 0 0 2px var(--_away);
  }
  .dnd .dot {
    background: linear-gradient(var(--_bg) 0 0) 50% / 60% 2px no-repeat var(--_danger);
  }
  .left .dot,
  .invisible .dot {
    background: var(--_muted);
  }
  .left .av {
    filter: grayscale(1);
  }
  .left .name {
    color: var(--_muted);
  }
  .recent summary {
    margin: 0.25rem 0.5rem;
    color: var(--_muted);
    cursor: pointer;
  }
  .people,
  .pop {
    position: fixed;
    inset: auto;
    margin: 0;
    inline-size: min(24rem, calc(100vw - 1rem));
    max-block-size: min(32rem, 80vh);
    overflow: auto;
    box-shadow: 0 8px 28px rgb(0 0 0 / 0.2);
    box-sizing: border-box;
  }
  .connection {
    margin: 0 0 0.5rem;
    padding: 0.35rem 0.6rem;
    border-radius: 6px;
    background: color-mix(in srgb, var(--_accent) 12%, transparent);
  }
  .toasts {
    position: fixed;
    inset: auto;
    inset-block-end: 1rem;
    inset-inline-end: 1rem;
    margin: 0;
    padding: 0;
    border: 0;
    background: none;
    color: inherit;
    overflow: visible;
    display: grid;
    gap: 0.5rem;
    inline-size: min(22rem, calc(100vw - 2rem));
    /* WebKit stretches a grid popover's UA height (fit-content) to the whole viewport */
    block-size: auto;
  }
  .toasts:not(:popover-open),
  .pop:not(:popover-open) {
    display: none;
  }
  .toast {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    justify-content: space-between;
    background: var(--_accent);
    color: var(--_accent-fg);
    border-radius: 8px;
    padding: 0.625rem 0.5rem 0.625rem 0.875rem;
    box-shadow: 0 6px 20px rgb(0 0 0 / 0.25);
    overflow-wrap: anywhere;
    animation: toast-in 0.2s ease-out;
  }
  /* transform only: a fading toast would be read (and contrast-checked) half transparent */
  @keyframes toast-in {
    from {
      transform: translateY(0.5rem);
    }
  }
  .sr-only {
    position: absolute;
    inline-size: 1px;
    block-size: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .you.avail {
    flex: 1 1 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .avail::before {
    content: '· ';
  }
  @media (prefers-reduced-motion: reduce) {
    .flash,
    .toast {
      animation: none;
    }
  }
  @media (forced-colors: active) {
    .avatar,
    .toast,
    .connection {
      border: 1px solid CanvasText;
    }
    .flash {
      outline: 2px solid Highlight;
    }
  }
`;
