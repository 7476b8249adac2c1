import { html, nothing, type TemplateResult } from 'lit';
import type { Messages } from '../messages.js';

export interface FormState {
  busy: boolean;
  fieldErrors: Record<string, string>;
  error: string;
  sessionEnded: boolean;
  limits: { name: number; status: number };
}

/** The guest sign-up form. Errors sit under their field and are linked to it (aria-describedby). */
export function renderForm(s: FormState, t: Messages, submit: (e: SubmitEvent) => void): TemplateResult {
  const nameError = s.fieldErrors['username'];
  const statusError = s.fieldErrors['status'];
  return html`<form part="form" class="form" @submit=${submit} novalidate aria-labelledby="form-title">
    <h2 class="title" id="form-title">${t.signUpTitle}</h2>
    ${s.sessionEnded ? html`<p part="notice" class="notice" role="status">${t.sessionEnded}</p>` : nothing}
    <label for="name">${t.nameLabel}</label>
    <input
      id="name"
      name="username"
      autocomplete="nickname"
      required
      maxlength=${s.limits.name}
      aria-invalid=${nameError ? 'true' : 'false'}
      aria-describedby=${nameError ? 'name-error' : nothing}
    />
    ${nameError ? html`<p id="name-error" class="field-error">${nameError}</p>` : nothing}
    <label for="status">${t.statusLabel}</label>
    <textarea
      id="status"
      name="status"
      rows="2"
      maxlength=${s.limits.status}
      placeholder=${t.statusPlaceholder}
      aria-invalid=${statusError ? 'true' : 'false'}
      aria-describedby=${statusError ? 'status-error' : nothing}
    ></textarea>
    ${statusError ? html`<p id="status-error" class="field-error">${statusError}</p>` : nothing}
    ${s.error ? html`<p part="error" class="error" role="alert" tabindex="-1">${s.error}</p>` : nothing}
    <button type="submit" class="primary" ?disabled=${s.busy}>${s.busy ? t.joining : t.join}</button>
  </form>`;
}
