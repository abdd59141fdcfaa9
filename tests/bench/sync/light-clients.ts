// A process of lightweight live shape clients for the sync bench: long-poll loops, each on its own
// keep-alive connection (raw-http.ts), that read only the headers they must (offset, handle, cursor,
// has-data) and skip the body, unless they look for an end marker in it. The official client costs
// milliseconds of CPU per round trip, and Node's own HTTP client several times what these do, so the
// server is what gets measured.
import { serve } from './ipc';
import { LoadMeter } from './load';
import { RawConnection, type RawAnswer } from './raw-http';
import { Waits } from './waits';

export interface LightClient {
  readonly handle: string;
  readonly offset: string;
  /** This client's own where clause (one shape per client); else the shared params' shape. */
  readonly where?: string;
}

export interface OpenArgs {
  /** `http://host:port/v1/shape` */
  readonly url: string;
  /** Shared query params: table, secret … */
  readonly params: Record<string, string>;
  readonly clients: readonly LightClient[];
  /** A client stops once a response body holds this text (the ingest bench's last change). */
  readonly marker?: string;
}

interface Poller {
  readonly connection: RawConnection;
  readonly base: URLSearchParams;
  handle: string;
  offset: string;
  cursor: string | undefined;
  readonly deliveries: number[];
  done: number | undefined;
}

/** Requests connected at once while opening: bounded so the listen backlog never drops a SYN. */
const OPEN_BATCH = 250;
const MAX_UNAVAILABLE_RETRIES = 20;

const meter = new LoadMeter();
const pollers: Poller[] = [];
const errors = new Map<string, number>();
let emptyResponses = 0;
/** reached[n]: clients with at least n data responses; finishedCount: clients that saw the marker. */
const reached: number[] = [];
let finishedCount = 0;
let closing = false;
let target: URL | undefined;
let marker: Buffer | undefined;

function failed(what: string): void {
  errors.set(what, (errors.get(what) ?? 0) + 1);
  waits.settle();
}

async function poll(p: Poller, onConnected: () => void): Promise<void> {
  let connected: (() => void) | undefined = onConnected;
  let unavailable = 0;
  while (!closing) {
    const query = new URLSearchParams(p.base);
    query.set('handle', p.handle);
    query.set('offset', p.offset);
    query.set('live', 'true');
    if (p.cursor !== undefined) query.set('cursor', p.cursor);
    let answer: RawAnswer;
    try {
      answer = await p.connection.get(`${(target as URL).pathname}?${query.toString()}`, marker, connected);
    } catch (error) {
      connected?.();
      if (!closing) failed(`network: ${(error as Error).message}`);
      return;
    }
    connected = undefined;
    if (answer.status === 503 && unavailable++ < MAX_UNAVAILABLE_RETRIES) {
      failed('503 (retried)');
      const seconds = Number(answer.headers.get('retry-after') ?? '1');
      await new Promise((resolve) => setTimeout(resolve, Math.max(0.1, seconds) * 1000));
      continue;
    }
    if (answer.status !== 200) {
      failed(`HTTP ${answer.status}`);
      return;
    }
    p.offset = answer.headers.get('electric-offset') ?? p.offset;
    p.handle = answer.headers.get('electric-handle') ?? p.handle;
    p.cursor = answer.headers.get('electric-cursor') ?? p.cursor;
    if (answer.headers.get('electric-has-data') === 'false') {
      emptyResponses++;
      continue;
    }
    p.deliveries.push(answer.at);
    reached[p.deliveries.length] = (reached[p.deliveries.length] ?? 0) + 1;
    if (answer.sawMarker) {
      p.done = answer.at;
      finishedCount++;
      waits.settle();
      return;
    }
    waits.settle();
    // The next request waits for the check phase: responses already readable in this process are
    // timestamped first. Each client stands for a device of its own; without this, the 500 clients of
    // a process would each wait for the others' next requests to be built and sent, and the bench
    // would measure this process' serial loop instead of the server's delivery.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Any failure but a retried 503 fails every wait. */
const waits = new Waits(() =>
  [...errors.keys()].some((k) => k !== '503 (retried)')
    ? `clients failed: ${JSON.stringify(Object.fromEntries(errors))}`
    : undefined,
);

const handlers = {
  /** Starts one long-poll loop per client; resolves once every first request is connected. */
  async open(arg: OpenArgs) {
    const url = new URL(arg.url);
    target = url;
    marker = arg.marker === undefined ? undefined : Buffer.from(arg.marker);
    for (let start = 0; start < arg.clients.length; start += OPEN_BATCH) {
      const batch = arg.clients.slice(start, start + OPEN_BATCH);
      await Promise.all(
        batch.map(
          (client) =>
            new Promise<void>((connected) => {
              const base = new URLSearchParams(arg.params);
              if (client.where !== undefined) base.set('where', client.where);
              const p: Poller = {
                connection: new RawConnection(url.hostname, Number(url.port)),
                base,
                handle: client.handle,
                offset: client.offset,
                cursor: undefined,
                deliveries: [],
                done: undefined,
              };
              pollers.push(p);
              void poll(p, connected);
            }),
        ),
      );
    }
    return pollers.length;
  },
  /** The time each client received its `round`-th data response (1-based), once all have. */
  round(arg: { round: number }) {
    return waits.until(
      () =>
        (reached[arg.round] ?? 0) >= pollers.length
          ? Float64Array.from(pollers, (p) => p.deliveries[arg.round - 1] as number)
          : undefined,
      () =>
        `${pollers.length - (reached[arg.round] ?? 0)} of ${pollers.length} clients got no write ${arg.round}`,
    );
  },
  /** Once every client saw the marker: the first and last time one did. */
  finished() {
    return waits.until(
      () => {
        if (finishedCount < pollers.length) return undefined;
        const times = pollers.map((p) => p.done as number);
        return { first: Math.min(...times), last: Math.max(...times) };
      },
      () => `${pollers.length - finishedCount} of ${pollers.length} clients never got their last change`,
    );
  },
  mark() {
    meter.mark();
  },
  load() {
    return meter.read();
  },
  /** Ends every loop (their sockets close) and reports what went wrong on the way. */
  close() {
    closing = true;
    for (const p of pollers) p.connection.destroy();
    return { errors: Object.fromEntries(errors), emptyResponses };
  },
};

export type LightClientsApi = typeof handlers;

serve(handlers);
