// The collab socket's contract (sync-server/src/collab/SPEC.md): where a draft's room lives and the
// closed set of reasons the server closes it with. The browser switches on `code`, never on `reason`.
// y-websocket (3.1) stops reconnecting on 4400–4499 (`defaultShouldReconnect`): those are the terminal
// ones, where trying again cannot help; the others are worth a retry with its backoff.

/** `ws(s)://<host>/collab/<draftId>`: y-websocket's `serverUrl` is `<origin>/collab`, its room the draft id. */
export const COLLAB_PATH = '/collab';

export const CollabClose = {
  /** Bytes that are not a y-protocols message: random, truncated, an unknown type, trailing bytes. */
  malformedMessage: { code: 4400, reason: 'malformed_message' },
  /** No live session (no cookie, expired, revoked). Sign in again, then reconnect. */
  unauthenticated: { code: 4401, reason: 'unauthenticated' },
  /** Not an author of this draft, or removed from its authors while connected. */
  notAnAuthor: { code: 4403, reason: 'not_an_author' },
  /** The path does not name a draft (`/collab/<uuid>`). */
  draftNotFound: { code: 4404, reason: 'draft_not_found' },
  /** The page that opened the socket is not one of ours (Origin check, as for state-changing requests). */
  originRefused: { code: 4406, reason: 'origin_refused' },
  /** One message (or what queued before the room was ready) exceeded the server's limit. */
  messageTooLarge: { code: 4413, reason: 'message_too_large' },
  /**
   * The session ended while the socket was open: signed out (here or on every device), revoked,
   * expired, or the account deleted. Sign in again, then reconnect. (4401 is the refusal at the door.)
   */
  sessionRevoked: { code: 4419, reason: 'session_revoked' },
  /**
   * The client read too slowly: what the server buffered for it passed its limit. Not terminal: the
   * provider reconnects and resyncs from its state vector, so nothing is lost.
   */
  tooSlow: { code: 4508, reason: 'too_slow' },
  /** The server is stopping; reconnect (y-websocket does, with backoff). */
  serverStopping: { code: 1001, reason: 'server_stopping' },
  /** The room could not load or store the document; reconnect later. */
  unavailable: { code: 4503, reason: 'unavailable' },
} as const;

export type CollabCloseKey = keyof typeof CollabClose;
export type CollabCloseReason = (typeof CollabClose)[CollabCloseKey];

/** Whether a client should stop reconnecting after this close code (y-websocket's own rule). */
export function isTerminalCollabClose(code: number): boolean {
  return code >= 4400 && code < 4500;
}

/** The typed reason of a close code the server sent, or undefined for transport closes (1006, …). */
export function collabCloseOf(code: number): CollabCloseReason | undefined {
  return Object.values(CollabClose).find((close) => close.code === code);
}

/**
 * The `user` field the server writes into every awareness state (presence): who is behind a cursor
 * comes from the session, never from the client. `color` is the client's if it is `#rrggbb`, else one
 * derived from the user id. TipTap's collaboration caret reads `user.name` and `user.color`.
 */
export interface AwarenessUser {
  readonly id: string;
  readonly name: string;
  readonly color: string;
}
