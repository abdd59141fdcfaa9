// The live requests the Shape API holds (long polls, SSE streams): each one's wait signal, how many
// are held (the SE55 limit), and ending them all when the server closes.
import type { AbortListener, WaitSignal } from '../storage/store';

/** Whether the client of a call is still there, as its transport knows it. */
export interface ClientPresence {
  /** True once the client went away. */
  readonly gone: boolean;
  /** Calls `listener` when the client goes away (maybe after the answer was sent: harmless). */
  onGone(listener: () => void): void;
}

/**
 * A held request's wait signal: aborted when its client goes away or the server closes. An
 * AbortController (an EventTarget) per held request showed in profiles at 1,000 held requests; a
 * wait needs only `aborted` and one listener at a time.
 */
export class HeldRequest implements WaitSignal {
  aborted = false;
  private readonly listeners: AbortListener[] = [];

  /**
   * Aborted when the client goes: a bound method, not a closure made (and named, by tsx) per
   * request. Never taken off: once the request is released, a late abort finds no listener.
   */
  constructor(client: ClientPresence) {
    if (client.gone) this.aborted = true;
    else client.onGone(this.abort.bind(this));
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    for (const listener of this.listeners.splice(0)) listener.handleEvent();
  }

  addEventListener(_type: 'abort', listener: AbortListener): void {
    this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: AbortListener): void {
    const at = this.listeners.indexOf(listener);
    if (at >= 0) this.listeners.splice(at, 1);
  }
}

export class HeldRequests {
  private readonly holding = new Set<HeldRequest>();
  private closed = false;

  get count(): number {
    return this.holding.size;
  }

  /** Set once closeAll ran: new requests are refused from then on. */
  get closing(): boolean {
    return this.closed;
  }

  hold(client: ClientPresence): HeldRequest {
    const held = new HeldRequest(client);
    if (this.closed) held.abort();
    else this.holding.add(held);
    return held;
  }

  /** Idempotent: an SSE stream may be released by its end and by its reader stopping. */
  release(held: HeldRequest): void {
    this.holding.delete(held);
  }

  closeAll(): void {
    this.closed = true;
    for (const held of this.holding) held.abort();
  }
}
