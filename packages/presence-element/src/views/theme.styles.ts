import { css, unsafeCSS } from 'lit';

// Every colour is a `--whatsup-*` custom property read with a fallback, so a page may set any of
// them on `:root` (or on the element, or per theme in its own media query). The dark palette is
// one hue family (the accent's violet, barely tinted greys): it sits on a neutral dark page.
const dark = unsafeCSS(`
  color-scheme: dark;
  --_fg: var(--whatsup-fg, #ecebf3);
  --_bg: var(--whatsup-bg, #1c1b22);
  --_muted: var(--whatsup-muted, #aaa8b9);
  --_border: var(--whatsup-border, #3b3946);
  --_accent: var(--whatsup-accent, #a694ff);
  --_accent-fg: var(--whatsup-accent-fg, #17142a);
  --_highlight: var(--whatsup-highlight, #3a3262);
  --_danger: var(--whatsup-danger, #ff8a80);
  --_online: var(--whatsup-online, #5bd47a);
  --_away: var(--whatsup-away, #f5b53d);
  --_shadow: rgb(0 0 0 / 0.5);
`);

/** The palette: light by default, dark with `theme="dark"` or, with `theme="auto"`, a dark system setting. */
export const themeStyles = css`
  :host {
    color-scheme: light;
    --_fg: var(--whatsup-fg, #1d2330);
    --_bg: var(--whatsup-bg, #fff);
    --_muted: var(--whatsup-muted, #5b6475);
    --_border: var(--whatsup-border, #d9dde5);
    --_accent: var(--whatsup-accent, #5b3cc4);
    --_accent-fg: var(--whatsup-accent-fg, #fff);
    --_highlight: var(--whatsup-highlight, #fff3c4);
    --_danger: var(--whatsup-danger, #b3261e);
    --_online: var(--whatsup-online, #1e8e3e);
    --_away: var(--whatsup-away, #c77700);
    --_shadow: rgb(0 0 0 / 0.18);
    --_radius: var(--whatsup-radius, 12px);
    --_avatar: var(--whatsup-avatar-size, 2rem);
    color: var(--_fg);
  }
  :host([theme='dark']) {
    ${dark}
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      ${dark}
    }
  }
`;
