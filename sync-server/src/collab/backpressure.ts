// CO14: what to do with one outgoing frame, given what the socket still holds unsent. Pure.
// Presence can be skipped (each client renews its own every 15 s); a document frame cannot, so past
// the hard limit the socket is closed instead and the client resyncs from its state vector.
import type { CollabConfig } from './config';

export type SendDecision = 'send' | 'skip' | 'close';

export function sendDecision(
  buffered: number,
  frameBytes: number,
  kind: 'document' | 'presence',
  limits: Pick<CollabConfig, 'slowClientBytes' | 'tooSlowBytes'>,
): SendDecision {
  // An idle socket takes any frame (a large draft's first sync can exceed the limit by itself).
  if (buffered > 0 && buffered + frameBytes > limits.tooSlowBytes) return 'close';
  if (kind === 'presence' && buffered > limits.slowClientBytes) return 'skip';
  return 'send';
}
