// The writes bench's second devices: one official `ShapeStream` per user on their `receipts` shape
// through the gateway, in a process of their own. The official client costs milliseconds of CPU per
// long poll; in the posting process it delayed both the POSTs' timing and the receipts' arrival by
// that process' own event loop. Arrival times are on CLOCK_MONOTONIC, which the posting process shares.
import { ShapeStream, isChangeMessage, isControlMessage, type Message, type Row } from '@electric-sql/client';
import { serve } from './ipc';
import { LoadMeter, monotonicMs } from './load';
import { Waits } from './waits';

const meter = new LoadMeter();
const streams: ShapeStream<Row>[] = [];
const arrivedAt = new Map<string, number>();
let failure: string | undefined;
const waits = new Waits(() => failure);

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
    for (const stream of streams.splice(0)) stream.unsubscribeAll();
  },
};

export type ReceiptWatchersApi = typeof handlers;

serve(handlers);
