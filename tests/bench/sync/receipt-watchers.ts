// The writes bench's second devices: one live client per user on their `receipts` shape through the
// gateway, in a process of their own. Either the official `ShapeStream` (`open`), or a lightweight
// long-poll loop on a raw keep-alive socket that parses only the body's JSON (`openLight`): the
// official client costs milliseconds of CPU per long poll, so 50 of them took a core of this 2-core
// machine from the server they were measuring. Arrival times are on CLOCK_MONOTONIC, which the
// posting process shares.
import { ShapeStream, isChangeMessage, isControlMessage, type Message, type Row } from '@electric-sql/client';
import { serve } from './ipc';
import { LoadMeter, monotonicMs } from './load';
import { RawConnection, type RawAnswer } from './raw-http';
import { Waits } from './waits';

const meter = new LoadMeter();
const streams: ShapeStream<Row>[] = [];
const arrivedAt = new Map<string, number>();
let failure: string | undefined;
const waits = new Waits(() => failure);
let closing = false;

interface WireMessage {
  readonly headers: { readonly operation?: string; readonly control?: string };
  readonly value?: { readonly id?: string };
}

/** Records the inserts of a response body; true when it ends with up-to-date. */
function take(answer: RawAnswer): boolean {
  const messages = JSON.parse(answer.body?.toString('utf8') ?? '[]') as WireMessage[];
  for (const message of messages) {
    const id = message.value?.id;
    if (message.headers.operation === 'insert' && id !== undefined) arrivedAt.set(id, answer.at);
  }
  return answer.headers.has('electric-up-to-date');
}

/** One user's receipts, followed the way the protocol says, until the bench closes. */
async function follow(url: URL, cookie: string, onUpToDate: () => void): Promise<void> {
  const connection = new RawConnection(url.hostname, Number(url.port));
  rawConnections.push(connection);
  const headers = `cookie: ${cookie}\r\n`;
  let handle: string | undefined;
  let offset = '-1';
  let cursor: string | undefined;
  let upToDate = false;
  try {
    while (!closing) {
      const query = new URLSearchParams({ offset });
      if (handle !== undefined) query.set('handle', handle);
      if (upToDate) query.set('live', 'true');
      if (cursor !== undefined) query.set('cursor', cursor);
      const answer = await connection.getBody(`${url.pathname}?${query.toString()}`, headers);
      if (answer.status === 409) {
        // must-refetch: start over on the handle it names.
        handle = answer.headers.get('electric-handle');
        offset = '-1';
        continue;
      }
      if (answer.status !== 200) throw new Error(`HTTP ${answer.status}: ${answer.body?.toString('utf8')}`);
      handle = answer.headers.get('electric-handle') ?? handle;
      offset = answer.headers.get('electric-offset') ?? offset;
      cursor = answer.headers.get('electric-cursor') ?? cursor;
      if (take(answer) && !upToDate) {
        upToDate = true;
        onUpToDate();
      }
      waits.settle();
    }
  } catch (error) {
    if (!closing) {
      failure ??= `a receipts long poll failed: ${(error as Error).message}`;
      waits.settle();
    }
  } finally {
    connection.destroy();
  }
}

const connections: Promise<void>[] = [];
const rawConnections: RawConnection[] = [];

const handlers = {
  /** One live stream per session cookie (`name=value`); resolves once every one is up to date. */
  async open(arg: { url: string; cookies: readonly string[] }) {
    let upToDate = 0;
    for (const cookie of arg.cookies) {
      const stream = new ShapeStream<Row>({
        url: arg.url,
        headers: { cookie },
        onError: (error: Error) => {
          failure ??= `a receipts ShapeStream failed: ${error.message}`;
          waits.settle();
        },
      });
      let seenUpToDate = false;
      stream.subscribe((messages: Message<Row>[]) => {
        const at = monotonicMs();
        for (const message of messages) {
          if (isChangeMessage(message) && message.headers.operation === 'insert')
            arrivedAt.set(message.value.id as string, at);
          else if (!seenUpToDate && isControlMessage(message) && message.headers.control === 'up-to-date') {
            seenUpToDate = true;
            upToDate++;
          }
        }
        waits.settle();
      });
      streams.push(stream);
    }
    await waits.until(
      () => (upToDate >= arg.cookies.length ? true : undefined),
      () => `${arg.cookies.length - upToDate} of ${arg.cookies.length} receipt streams never got up to date`,
    );
    return streams.length;
  },
  /** One lightweight long-poll loop per session cookie; resolves once every one is up to date. */
  async openLight(arg: { url: string; cookies: readonly string[] }) {
    const url = new URL(arg.url);
    let upToDate = 0;
    for (const cookie of arg.cookies) connections.push(follow(url, cookie, () => upToDate++));
    await waits.until(
      () => (upToDate >= arg.cookies.length ? true : undefined),
      () => `${arg.cookies.length - upToDate} of ${arg.cookies.length} receipt loops never got up to date`,
    );
    return connections.length;
  },
  /** When each receipt arrived (CLOCK_MONOTONIC ms), in the order asked, once all have. */
  arrivals(arg: { ids: readonly string[] }) {
    return waits.until(
      () =>
        arg.ids.every((id) => arrivedAt.has(id))
          ? Float64Array.from(arg.ids, (id) => arrivedAt.get(id) as number)
          : undefined,
      () =>
        `${arg.ids.filter((id) => !arrivedAt.has(id)).length} of ${arg.ids.length} receipts never arrived`,
    );
  },
  mark() {
    meter.mark();
  },
  load() {
    return meter.read();
  },
  close() {
    closing = true;
    for (const stream of streams.splice(0)) stream.unsubscribeAll();
    for (const connection of rawConnections.splice(0)) connection.destroy();
  },
};

export type ReceiptWatchersApi = typeof handlers;

serve(handlers);
