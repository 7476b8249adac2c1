import type { ReactiveControllerHost } from 'lit';

/** The element as its view controllers see it: a Lit host with a shadow root to look things up in. */
export type ViewHost = ReactiveControllerHost & { readonly renderRoot: HTMLElement | DocumentFragment };

/** Focuses the first match in the host's shadow root, if there is one. */
export function focusIn(host: ViewHost, selector: string): void {
  host.renderRoot.querySelector<HTMLElement>(selector)?.focus();
}
