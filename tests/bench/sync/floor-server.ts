// The fan-out floor: a bare node:http server in its own process that holds live shape requests and,
// when told to, answers every one of them in the same loop turn with one prebuilt response (headers
// and body captured from Hearth's own answer to a write). No routing, no engine, no Postgres, no
// logging: what the lightweight clients measure against it is what Node's HTTP and this machine's
// sockets cost for a fan-out, the floor under Hearth's figure.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from './ipc';
import { LiveRequests, type LiveBounds } from './live-requests';
import { LoadMeter } from './load';

/** A response to replay: Hearth's headers (hop-by-hop ones left to Node) and body. */
export interface CapturedAnswer {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const meter = new LoadMeter();
const live = new LiveRequests();
let held: http.ServerResponse[] = [];
let server: http.Server | undefined;
let replay: ((response: http.ServerResponse) => void) | undefined;

const handlers = {
  async start(captured: CapturedAnswer) {
    const body = Buffer.from(captured.body);
    const headers = { ...captured.headers, 'content-length': String(body.length) };
    const answer = (response: http.ServerResponse) => {
      response.writeHead(200, headers);
      response.end(body);
    };
    replay = answer;
    server = http.createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
      live.track(request, response);
      // The clients only ever ask live; anything else gets the same answer at once.
      if (/[?&]live=true(&|$)/.test(request.url ?? '')) held.push(response);
      else answer(response);
    });
    const listening = server;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const { port } = listening.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/v1/shape` };
  },
  /** Answers every held request in this loop turn; returns how many. */
  publish(): number {
    if (!replay) throw new Error('start the floor server first');
    const answering = held;
    held = [];
    for (const response of answering) replay(response);
    return answering.length;
  },
  live(arg: LiveBounds) {
    return live.until(arg);
  },
  mark() {
    meter.mark();
  },
  load() {
    return { ...meter.read(), live: live.count };
  },
  async stop() {
    for (const response of held) response.destroy();
    held = [];
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  },
};

export type FloorServerApi = typeof handlers;

serve(handlers, () => handlers.stop());
