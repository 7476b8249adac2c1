/** An error with an HTTP status and a stable dotted code, written as JSON by the router's error handler. */
export class WhatsupError extends Error {
  readonly status: number;
  readonly code: string;
  /** Whether the message may be shown to the client (4xx: yes; 5xx: only ours). */
  readonly expose: boolean;
  readonly field: string | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { field?: string; expose?: boolean } = {},
  ) {
    super(message);
    this.name = 'WhatsupError';
    this.status = status;
    this.code = code;
    this.expose = options.expose ?? true;
    this.field = options.field;
  }
}
