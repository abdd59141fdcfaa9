// Writes a Shape API answer to a node:http response, for both ways in (the Fastify route and the raw
// route ahead of it), and tells the API when that response's client went away.
import type { ServerResponse } from 'node:http';
import type { ClientPresence } from './held-requests';
import type { ShapeAnswer } from './shape-api';

/** The client of a response: gone once the response closes unfinished. No closure per request. */
export class ResponsePresence implements ClientPresence {
  constructor(private readonly response: ServerResponse) {}

  get gone(): boolean {
    return this.response.destroyed && !this.response.writableFinished;
  }

  onGone(listener: () => void): void {
    this.response.on('close', listener);
  }
}

/**
 * Live answers go out with the header list built once for every request an append wakes (SE53);
 * whole ones with their length; SSE as its events come, until the stream ends or the client leaves.
 */
export async function writeAnswer(response: ServerResponse, answer: ShapeAnswer): Promise<void> {
  const { body } = answer;
  if (answer.rawHeaders) {
    response.writeHead(answer.status, answer.rawHeaders as string[]);
    response.end(body as Buffer | string);
    return;
  }
  if (body === undefined) {
    response.writeHead(answer.status, answer.headers);
    response.end();
    return;
  }
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    response.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(body) });
    response.end(body);
    return;
  }
  response.writeHead(answer.status, answer.headers);
  try {
    for await (const text of body) response.write(text);
  } finally {
    response.end();
  }
}
