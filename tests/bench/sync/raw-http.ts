// One keep-alive HTTP/1.1 connection for the bench's lightweight clients, on a raw socket: a request
// is one prebuilt write, and a response is parsed only as far as the clients need (status, headers,
// where the body ends, whether it holds a marker, and the body itself only when asked). Node's own HTTP client costs several times
// more CPU per request; with 1,000 clients on this 2-core machine that cost, not the server's, set
// how fast the fan-out looked.
import net from 'node:net';
import { monotonicMs } from './load';

export interface RawAnswer {
  readonly status: number;
  /** Lower-case names; the first value of a repeated header. */
  readonly headers: ReadonlyMap<string, string>;
  readonly sawMarker: boolean;
  /** The body, for requests that asked for it (`getBody`, `post`). */
  readonly body: Buffer | undefined;
  /** CLOCK_MONOTONIC ms when the whole response had arrived. */
  readonly at: number;
}

const HEAD_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

interface Pending {
  readonly marker: Buffer | undefined;
  /** The body's pieces, when the caller wants the body. */
  readonly body: Buffer[] | undefined;
  readonly resolve: (answer: RawAnswer) => void;
  readonly reject: (error: Error) => void;
}

type Body =
  | { readonly kind: 'length'; remaining: number }
  | { readonly kind: 'chunked'; chunkLeft: number; trailer: boolean }
  | { readonly kind: 'none' };

/** Parses one response head; throws on anything an HTTP/1.1 server would not send. */
function parseHead(head: string): { status: number; headers: Map<string, string> } {
  const lines = head.split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!match) throw new Error(`not an HTTP response: ${JSON.stringify(lines[0])}`);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { status: Number(match[1]), headers };
}

function bodyOf(status: number, headers: ReadonlyMap<string, string>): Body {
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) return { kind: 'none' };
  if (headers.get('transfer-encoding')?.toLowerCase().includes('chunked'))
    return { kind: 'chunked', chunkLeft: -1, trailer: false };
  const length = Number(headers.get('content-length') ?? '0');
  return length > 0 ? { kind: 'length', remaining: length } : { kind: 'none' };
}

export class RawConnection {
  private socket: net.Socket | undefined;
  private buffered: Buffer = Buffer.alloc(0);
  private pending: Pending | undefined;
  private head: { status: number; headers: Map<string, string>; body: Body } | undefined;
  private sawMarker = false;
  /** The end of the body read so far, kept so a marker split across two reads is still found. */
  private tail: Buffer = Buffer.alloc(0);
  private closeAfter = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** GET `path`; `onConnected` is called once the socket is connected (at once if it already is). */
  get(path: string, marker?: Buffer, onConnected?: () => void): Promise<RawAnswer> {
    if (this.pending) return Promise.reject(new Error('a request is already in flight'));
    const socket = this.connection(onConnected);
    return new Promise<RawAnswer>((resolve, reject) => {
      this.pending = { marker, body: undefined, resolve, reject };
      socket.write(`GET ${path} HTTP/1.1\r\nhost: ${this.host}:${this.port}\r\n\r\n`);
    });
  }

  /** GET `path` with `headers` (`name: value\r\n` lines); the answer carries the body. */
  getBody(path: string, headers: string): Promise<RawAnswer> {
    return this.send(`GET ${path} HTTP/1.1\r\nhost: ${this.host}:${this.port}\r\n${headers}\r\n`);
  }

  /** POST `body` to `path` with `headers` (`name: value\r\n` lines); the answer carries the body. */
  post(path: string, headers: string, body: string): Promise<RawAnswer> {
    return this.send(
      `POST ${path} HTTP/1.1\r\nhost: ${this.host}:${this.port}\r\n${headers}` +
        `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }

  private send(request: string): Promise<RawAnswer> {
    if (this.pending) return Promise.reject(new Error('a request is already in flight'));
    const socket = this.connection(undefined);
    return new Promise<RawAnswer>((resolve, reject) => {
      this.pending = { marker: undefined, body: [], resolve, reject };
      socket.write(request);
    });
  }

  destroy(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connection(onConnected: (() => void) | undefined): net.Socket {
    if (this.socket && !this.socket.destroyed) {
      onConnected?.();
      return this.socket;
    }
    const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    this.socket = socket;
    this.buffered = Buffer.alloc(0);
    if (onConnected) socket.once('connect', onConnected);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
      this.fail(new Error('the server closed the connection'));
    });
    return socket;
  }

  private fail(error: Error): void {
    const pending = this.pending;
    this.pending = undefined;
    this.head = undefined;
    pending?.reject(error);
  }

  private read(chunk: Buffer): void {
    let data = this.buffered.length > 0 ? Buffer.concat([this.buffered, chunk]) : chunk;
    this.buffered = Buffer.alloc(0);
    if (!this.head) {
      const end = data.indexOf(HEAD_END);
      if (end < 0) {
        this.buffered = data;
        return;
      }
      try {
        const { status, headers } = parseHead(data.subarray(0, end).toString('latin1'));
        this.head = { status, headers, body: bodyOf(status, headers) };
        this.closeAfter = headers.get('connection')?.toLowerCase() === 'close';
      } catch (error) {
        this.fail(error as Error);
        this.destroy();
        return;
      }
      this.sawMarker = false;
      this.tail = Buffer.alloc(0);
      data = data.subarray(end + HEAD_END.length);
    }
    this.readBody(data);
  }

  private readBody(data: Buffer): void {
    const head = this.head;
    if (!head) return;
    const { body } = head;
    if (body.kind === 'length') {
      const take = Math.min(body.remaining, data.length);
      this.scan(data.subarray(0, take));
      body.remaining -= take;
      if (body.remaining === 0) this.finish();
      return;
    }
    if (body.kind === 'chunked') {
      let rest = data;
      while (rest.length > 0) {
        if (body.chunkLeft < 0) {
          const lineEnd = rest.indexOf(CRLF);
          if (lineEnd < 0) break;
          const size = parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16);
          rest = rest.subarray(lineEnd + CRLF.length);
          if (size === 0) {
            body.trailer = true;
            break;
          }
          body.chunkLeft = size + CRLF.length; // the chunk, then its CRLF
          continue;
        }
        const take = Math.min(body.chunkLeft, rest.length);
        this.scan(rest.subarray(0, Math.min(take, Math.max(0, body.chunkLeft - CRLF.length))));
        body.chunkLeft -= take;
        rest = rest.subarray(take);
        if (body.chunkLeft === 0) body.chunkLeft = -1;
      }
      if (body.trailer) {
        // The last chunk: an empty trailer section ends it.
        const end = rest.indexOf(CRLF);
        if (end >= 0) this.finish();
        else this.buffered = rest;
        return;
      }
      if (body.chunkLeft < 0) this.buffered = rest;
      return;
    }
    this.finish();
  }

  private scan(bytes: Buffer): void {
    if (bytes.length > 0) this.pending?.body?.push(bytes);
    const marker = this.pending?.marker;
    if (!marker || this.sawMarker || bytes.length === 0) return;
    const text = this.tail.length > 0 ? Buffer.concat([this.tail, bytes]) : bytes;
    if (text.includes(marker)) this.sawMarker = true;
    this.tail = text.subarray(Math.max(0, text.length - marker.length));
  }

  private finish(): void {
    const head = this.head;
    const pending = this.pending;
    this.head = undefined;
    this.pending = undefined;
    if (!head || !pending) return;
    if (this.closeAfter) this.destroy();
    pending.resolve({
      status: head.status,
      headers: head.headers,
      sawMarker: this.sawMarker,
      body: pending.body && Buffer.concat(pending.body),
      at: monotonicMs(),
    });
  }
}
