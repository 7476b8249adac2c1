import type { PresenceController } from '../presence-controller.js';
import type { Messages } from '../messages.js';
import { focusIn, type ViewHost } from './view-host.js';
import { forDeveloper } from '../diagnosis.js';

/**
 * The guest sign-up form: sending (`busy`), and a refusal shown under its field, or for the form.
 * Focus goes to the first invalid field or the error, or to my status once signed in.
 */
export class SignUpController {
  busy = false;
  fieldErrors: Record<string, string> = {};
  error = '';
  private readonly _host: ViewHost;
  private readonly _presence: PresenceController;
  private readonly _t: () => Messages;

  constructor(host: ViewHost, presence: PresenceController, t: () => Messages) {
    this._host = host;
    this._presence = presence;
    this._t = t;
  }

  readonly submit = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    if (this.busy) return;
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    this.busy = true;
    this.fieldErrors = {};
    this.error = '';
    this._host.requestUpdate();
    const refused = await this._presence.register(
      String(data.get('username') ?? ''),
      String(data.get('status') ?? ''),
    );
    this.busy = false;
    this._host.requestUpdate();
    if (refused) {
      if (refused.field === 'username' || refused.field === 'status')
        this.fieldErrors = { [refused.field]: refused.message };
      // What is for the site's developer (CORS, configuration) is in the console, not the form.
      else this.error = (!forDeveloper(refused.code) && refused.message) || this._t().genericError;
      await this._host.updateComplete;
      focusIn(this._host, '[aria-invalid="true"], [part~="error"]');
      return;
    }
    form.reset();
    await this._host.updateComplete;
    focusIn(this._host, '[part~="me"]');
  };
}
