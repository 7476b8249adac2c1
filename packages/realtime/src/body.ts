import type { IncomingMessage } from 'node:http';
import { WhatsupError } from './errors.js';

/** Reads a request body into memory, refusing (413) anything over `cap` bytes before it is all buffered. */
export function readBody(req: IncomingMessage, cap: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > cap) {
      reject(tooLarge(cap));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > cap) {
        done = true;
        chunks.length = 0;
        reject(tooLarge(cap));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      if (done) return;
      done = true;
      reject(new WhatsupError(400, 'body.aborted', `The request body could not be read: ${error.message}`));
    });
  });
}

function tooLarge(cap: number): WhatsupError {
  return new WhatsupError(
    413,
    'body.too_large',
    `The request body is larger than the allowed ${cap} bytes (limits.requestBodyBytes)`,
  );
}
