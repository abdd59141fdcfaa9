// Writes a Shape API answer to a node:http response, for both ways in (the Fastify route and the raw
// route ahead of it), and tells the API when that response's client went away.
import type { ServerResponse } from 'node:http';
import type { ClientPresence } from './held-requests';
import type { ShapeAnswer } from './shape-api';

/** The client of a response: gone once the response closes unfinished. No closure per request. */
export class ResponsePresence implements ClientPresence {
  constructor(protected readonly response: ServerResponse) {}

  get gone(): boolean {
    return this.response.destroyed && !this.response.writableFinished;
  }

  onGone(listener: () => void): void {
    this.response.on('close', listener);
  }
}

/**
 * A whole answer (bytes, text or none), written before this returns. Live answers go out with the
 * header list built once for every request an append wakes (SE53); others with their length.
 */
export function writeWhole(response: ServerResponse, answer: ShapeAnswer): void {
  const { body } = answer;
  if (answer.rawHeaders) {
    response.writeHead(answer.status, answer.rawHeaders as string[]);
    response.end(body as Buffer | string);
  } else if (body === undefined) {
    response.writeHead(answer.status, answer.headers);
    response.end();
  } else {
    const bytes = body as string | Buffer;
    response.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(bytes) });
    response.end(bytes);
  }
}

/** An SSE answer: its body is the events as they come. */
export function isStreamed(answer: ShapeAnswer): answer is ShapeAnswer & { body: AsyncIterable<string> } {
  const { body } = answer;
  return body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body);
}

/** Whole answers at once; SSE as its events come, until the stream ends or the client leaves. */
export async function writeAnswer(response: ServerResponse, answer: ShapeAnswer): Promise<void> {
  if (!isStreamed(answer)) {
    writeWhole(response, answer);
    return;
  }
  response.writeHead(answer.status, answer.headers);
  try {
    for await (const text of answer.body) response.write(text);
  } finally {
    response.end();
  }
}
