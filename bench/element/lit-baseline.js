/* global customElements */
// The baseline for the element benchmark: the least Lit can do for the same list — one LitElement
// rendering 1,000 plain <li> (name + status) in its shadow root. Bundled by bench/scenarios/element.mjs.
import { LitElement, html } from 'lit';

class BenchLitList extends LitElement {
  static properties = { members: { attribute: false } };

  constructor() {
    super();
    this.members = [];
  }

  render() {
    return html`<ul>
      ${this.members.map((m) => html`<li data-id=${m.id}><span>${m.name}</span> <span>${m.status}</span></li>`)}
    </ul>`;
  }
}

if (!customElements.get('bench-lit-list')) customElements.define('bench-lit-list', BenchLitList);
