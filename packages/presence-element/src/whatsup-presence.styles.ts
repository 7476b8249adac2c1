import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    font-family: var(--whatsup-font, inherit);
    color: var(--whatsup-fg, #1d2330);
    --_bg: var(--whatsup-bg, #ffffff);
    --_muted: var(--whatsup-muted, #5b6475);
    --_border: var(--whatsup-border, #d9dde5);
    --_accent: var(--whatsup-accent, #5b3cc4);
    --_accent-fg: var(--whatsup-accent-fg, #ffffff);
    --_highlight: var(--whatsup-highlight, #fff3c4);
    --_radius: var(--whatsup-radius, 12px);
    --_avatar: var(--whatsup-avatar-size, 2.5rem);
    --_danger: var(--whatsup-danger, #b3261e);
    --_gap: var(--whatsup-gap, 0.75rem);
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
    }
  }
  :host([hidden]),
  [hidden] {
    display: none !important;
  }
  .panel {
    position: relative;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 1rem;
  }
  .title,
  .list-title {
    font-size: 1rem;
    margin: 0 0 0.75rem;
  }
  .count,
  .hint,
  .time,
  .loading {
    color: var(--_muted);
    font-weight: normal;
  }
  .form {
    display: grid;
    gap: 0.35rem;
  }
  label {
    font-weight: 600;
    font-size: 0.9rem;
    margin-block-start: 0.35rem;
  }
  input,
  textarea {
    font: inherit;
    color: inherit;
    background: transparent;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) / 2);
    padding: 0.45rem 0.6rem;
    box-sizing: border-box;
    inline-size: 100%;
  }
  input[aria-invalid='true'],
  textarea[aria-invalid='true'] {
    border-color: var(--_danger);
  }
  button {
    font: inherit;
    border-radius: calc(var(--_radius) / 2);
    padding: 0.45rem 0.9rem;
    cursor: pointer;
  }
  .primary {
    background: var(--_accent);
    color: var(--_accent-fg);
    border: 1px solid var(--_accent);
    justify-self: start;
    margin-block-start: 0.5rem;
  }
  .primary[disabled] {
    opacity: 0.6;
    cursor: progress;
  }
  .secondary {
    background: transparent;
    color: inherit;
    border: 1px solid var(--_border);
  }
  .icon {
    background: transparent;
    color: inherit;
    border: 0;
    font-size: 1.2rem;
    line-height: 1;
    padding: 0.1rem 0.4rem;
  }
  :focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .field-error,
  .error {
    color: var(--_danger);
    font-size: 0.9rem;
    margin: 0;
  }
  .me {
    display: flex;
    align-items: center;
    gap: var(--_gap);
    padding-block-end: var(--_gap);
    margin-block-end: var(--_gap);
    border-block-end: 1px solid var(--_border);
  }
  .who {
    display: flex;
    flex-direction: column;
    min-inline-size: 0;
    flex: 1;
  }
  .name {
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  .status {
    overflow-wrap: anywhere;
    white-space: pre-wrap;
  }
  .editable {
    cursor: text;
    border-radius: 4px;
    padding: 0.1rem 0.2rem;
    margin-inline-start: -0.2rem;
  }
  .editable:hover {
    background: color-mix(in srgb, var(--_accent) 10%, transparent);
  }
  .editable.empty {
    color: var(--_muted);
    font-style: italic;
  }
  .editor {
    display: flex;
    align-items: center;
    gap: 0.5rem;
  }
  .counter.over {
    color: var(--_danger);
  }
  .counter {
    color: var(--_muted);
    font-size: 0.8rem;
    font-variant-numeric: tabular-nums;
  }
  .list {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.25rem;
  }
  .member {
    display: flex;
    gap: var(--_gap);
    align-items: center;
    padding: 0.4rem 0.5rem;
    border-radius: calc(var(--_radius) / 2);
  }
  .member.flash {
    animation: flash 1.6s ease-out;
  }
  @keyframes flash {
    from {
      background: var(--_highlight);
    }
    to {
      background: transparent;
    }
  }
  .time {
    font-size: 0.8rem;
  }
  .avatar {
    flex: none;
    inline-size: var(--_avatar);
    block-size: var(--_avatar);
    border-radius: 50%;
    display: inline-grid;
    place-items: center;
    font-weight: 600;
    font-size: 0.9rem;
    color: #fff;
    background: hsl(var(--hue, 250) 45% 42%);
    object-fit: cover;
  }
  .connection {
    margin: 0 0 0.75rem;
    padding: 0.35rem 0.6rem;
    border-radius: calc(var(--_radius) / 2);
    background: color-mix(in srgb, var(--_accent) 12%, transparent);
  }
  .toast {
    position: absolute;
    inset-block-start: 0.5rem;
    inset-inline: 0.5rem;
    display: flex;
    align-items: center;
    gap: 0.5rem;
    justify-content: space-between;
    background: var(--_accent);
    color: var(--_accent-fg);
    border-radius: calc(var(--_radius) / 2);
    padding: 0.6rem 0.8rem;
    box-shadow: 0 4px 16px rgb(0 0 0 / 0.2);
    animation: toast-in 0.2s ease-out;
  }
  .toast .icon {
    color: inherit;
  }
  /* transform only: a fading toast would be read (and contrast-checked) half transparent */
  @keyframes toast-in {
    from {
      transform: translateY(-0.5rem);
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
    .member.flash,
    .toast {
      animation: none;
    }
    .member.flash {
      background: var(--_highlight);
    }
  }
  @media (forced-colors: active) {
    .avatar {
      border: 1px solid CanvasText;
    }
    .member.flash {
      outline: 2px solid Highlight;
    }
    .toast,
    .connection {
      border: 1px solid CanvasText;
    }
    .primary {
      border: 1px solid ButtonText;
    }
    .editable:focus-visible,
    :focus-visible {
      outline-color: Highlight;
    }
  }
`;
