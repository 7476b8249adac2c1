import { css } from 'lit';

// Logical properties throughout (inline/block, start/end): the same sheet lays out right to left.
export const styles = css`
  :host {
    display: block;
    max-inline-size: var(--whatsup-max-width, 28rem);
    font: 0.875rem/1.25rem var(--whatsup-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
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
  .field-error {
    font-size: 0.8125rem;
    margin: 0 0.5rem 0.25rem;
  }
  .pending {
    color: inherit;
    opacity: 0.8;
  }
  .list {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  /* User text keeps its own direction (dir=auto) but lines up with the panel's start edge. */
  .panel {
    --_start: left;
  }
  .panel[dir='rtl'] {
    --_start: right;
  }
  [dir='auto'] {
    text-align: var(--_start);
  }
  /* The list scrolls inside the panel above a height; a fade says where it is cut. */
  .scroller {
    position: relative;
    max-block-size: var(--whatsup-list-height, 24rem);
    overflow-y: auto;
    overscroll-behavior: contain;
  }
  .scroller::before,
  .scroller::after {
    content: '';
    position: sticky;
    z-index: 1;
    display: block;
    block-size: 1.75rem;
    pointer-events: none;
    visibility: hidden;
  }
  .scroller::before {
    inset-block-start: 0;
    margin-block-end: -1.75rem;
    background: linear-gradient(var(--_bg), transparent);
  }
  .scroller::after {
    inset-block-end: 0;
    margin-block-start: -1.75rem;
    background: linear-gradient(transparent, var(--_bg));
  }
  .cut-top:not(.filtering)::before,
  .cut-bottom::after {
    visibility: visible;
  }
  .spacer {
    padding: 0;
  }
  /* The filter stays above the rows it finds; its box lines up with theirs. */
  .find {
    position: sticky;
    inset-block-start: 0;
    z-index: 2;
    background: var(--_bg);
    padding-block-end: 0.375rem;
  }
  .cut-top .find {
    box-shadow: 0 1px 0 var(--_border);
  }
  /* an input: the rest (font, border, full width, the focus ring) is every input's */
  .filter {
    min-block-size: 2.25rem;
    padding: 0.375rem 0.625rem;
    background: var(--_bg);
    border-radius: 8px;
  }
  /* A fixed height: a clock tick, an edit or a missing status never moves the rows below. The name
     and the time share the first line; the state and the status have the whole second one. */
  .row {
    display: grid;
    grid-template-columns: auto minmax(0, 1fr) auto;
    align-items: center;
    align-content: center;
    column-gap: 0.625rem;
    min-block-size: 2.75rem;
    box-sizing: border-box;
    padding: 0.25rem 0.5rem;
    border-radius: 8px;
  }
  [role='option'] {
    cursor: default;
  }
  .row:hover {
    background: color-mix(in srgb, var(--_accent) 6%, transparent);
  }
  .row:focus-visible {
    outline-offset: -2px;
    background: color-mix(in srgb, var(--_accent) 10%, transparent);
  }
  .mine {
    cursor: pointer;
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
    display: contents;
  }
  .row > .av {
    grid-row: 1 / span 2;
  }
  .line,
  .sline {
    display: flex;
    gap: 0.25rem;
    min-inline-size: 0;
    white-space: nowrap;
    line-height: 1.125rem;
  }
  .line {
    grid-area: 1 / 2;
  }
  .sline {
    grid-area: 2 / 2 / 3 / -1;
  }
  .sline:empty {
    display: none;
  }
  .name {
    font-weight: 600;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .you {
    flex: none;
  }
  /* The state in words comes first on the status line and is never cut; the status gives way. */
  .presence {
    flex: none;
    max-inline-size: 100%;
    overflow: hidden;
    text-overflow: ellipsis;
    color: var(--_muted);
    font-weight: 500;
  }
  .dnd .presence {
    color: var(--_danger);
  }
  .presence.sep::after {
    content: '·';
    padding-inline-start: 0.25rem;
    font-weight: 400;
  }
  .status {
    min-inline-size: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    color: var(--_muted);
  }
  .mine .status {
    color: inherit;
  }
  .mine .status.empty {
    color: var(--_muted);
    font-style: italic;
  }
  .open {
    align-items: start;
  }
  .open .sline {
    white-space: normal;
    flex-wrap: wrap;
  }
  .open .status {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .time {
    grid-area: 1 / 3;
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
  /* The dot's shape says the state as well as its colour: a disc (active), a moon (away), a bar
     (do not disturb), a ring (invisible, left). The words say it too. */
  .dot {
    position: absolute;
    inset-block-end: -2px;
    inset-inline-end: -2px;
    inline-size: 0.875rem;
    block-size: 0.875rem;
    border-radius: 50%;
    background: var(--_online);
    border: 2px solid var(--_bg);
    box-sizing: border-box;
    forced-color-adjust: none;
  }
  .away .dot {
    background: radial-gradient(circle at 22% 22%, var(--_bg) 38%, var(--_away) 41%);
  }
  .dnd .dot {
    background: linear-gradient(var(--_bg) 0 0) 50% / 64% 2px no-repeat var(--_danger);
  }
  .left .dot,
  .invisible .dot {
    background: var(--_bg);
    box-shadow: inset 0 0 0 2px var(--_muted);
  }
  .left .av,
  .stale .av {
    filter: grayscale(1);
  }
  .left .name,
  .stale .row {
    color: var(--_muted);
  }
  .stale .dot {
    background: var(--_muted);
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
    box-shadow: 0 8px 28px var(--_shadow);
    box-sizing: border-box;
  }
  .connection {
    margin: 0 0 0.5rem;
    padding: 0.5rem 0.625rem;
    border-radius: 8px;
    border-inline-start: 3px solid var(--_away);
    background: color-mix(in srgb, var(--_away) 12%, var(--_bg));
  }
  .retry {
    white-space: nowrap;
  }
  .panel > .error {
    padding: 0.25rem 0.5rem;
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
  /* A card on either theme: the panel's colours, an accent edge, an icon and a label. */
  .toast {
    display: grid;
    grid-template-columns: auto minmax(0, 1fr) auto;
    align-items: start;
    gap: 0.625rem;
    background: var(--_bg);
    color: var(--_fg);
    border: 1px solid var(--_border);
    border-inline-start: 4px solid var(--_accent);
    border-radius: 10px;
    padding: 0.625rem 0.5rem 0.625rem 0.75rem;
    box-shadow: 0 8px 24px var(--_shadow);
    overflow-wrap: anywhere;
    animation: toast-in 0.2s ease-out;
  }
  .toast-icon {
    inline-size: 1.25rem;
    block-size: 1.25rem;
    fill: var(--_accent);
    margin-block-start: 0.0625rem;
  }
  .toast-label {
    display: block;
    font-size: 0.75rem;
    color: var(--_accent);
  }
  .toast-text {
    display: block;
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
    .row:focus-visible {
      outline-color: Highlight;
    }
  }
`;
