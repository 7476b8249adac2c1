import type { IncomingMessage } from 'node:http';
import { WhatsupError } from './errors.js';
import type { Limits } from './options.js';

/** Whether the request says it has a body (a length above 0, or a chunked or other transfer coding). */
export function declaresBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Reads HTTP API request bodies into memory, within bounds a stranger cannot stretch: a declared
 * length over `limits.requestBodyBytes` is refused before a byte is read (413), a streamed or chunked
 * body as soon as it passes it (413), a body still arriving after `limits.requestBodyTimeout` ms is
 * given up (408), and at most `limits.requestBodiesPerAddress` bodies are read from one client
 * address at once (429). Only requests whose signature already checked out get here.
 */
export class BodyReader {
  readonly #limits: Limits;
  /** Bodies being read per client address. */
  readonly #reading = new Map<string, number>();

  constructor(limits: Limits) {
    this.#limits = limits;
  }

  read(req: IncomingMessage, address: string): Promise<Buffer> {
    const { requestBodyBytes: cap, requestBodyTimeout, requestBodiesPerAddress } = this.#limits;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > cap) return Promise.reject(tooLarge(cap));
    const reading = this.#reading.get(address) ?? 0;
    if (reading >= requestBodiesPerAddress) {
      return Promise.reject(
        new WhatsupError(
          429,
          'rate.limited',
          `Too many request bodies being sent from this address at once (${requestBodiesPerAddress}, limits.requestBodiesPerAddress); retry when one has finished`,
        ),
      );
    }
    this.#reading.set(address, reading + 1);
    return new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      const finish = (error: WhatsupError | undefined): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
        req.off('close', onClose);
        const left = (this.#reading.get(address) ?? 1) - 1;
        if (left === 0) this.#reading.delete(address);
        else this.#reading.set(address, left);
        if (error === undefined) resolve(Buffer.concat(chunks, size));
        else reject(error);
        chunks.length = 0;
      };
      const onData = (chunk: Buffer): void => {
        size += chunk.length;
        if (size > cap) finish(tooLarge(cap));
        else chunks.push(chunk);
      };
      const onEnd = (): void => finish(undefined);
      const onError = (error: Error): void =>
        finish(new WhatsupError(400, 'body.aborted', `The request body could not be read: ${error.message}`));
      const onClose = (): void =>
        finish(new WhatsupError(400, 'body.aborted', 'The client went away before the body was complete'));
      const timer = setTimeout(
        () =>
          finish(
            new WhatsupError(
              408,
              'body.timeout',
              `The request body did not arrive within ${requestBodyTimeout} ms (limits.requestBodyTimeout)`,
            ),
          ),
        requestBodyTimeout,
      );
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onError);
      req.on('close', onClose);
    });
  }
}

function tooLarge(cap: number): WhatsupError {
  return new WhatsupError(
    413,
    'body.too_large',
    `The request body is larger than the allowed ${cap} bytes (limits.requestBodyBytes)`,
  );
}
