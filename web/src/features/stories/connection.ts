// The collab socket as the editor shows it (SPEC.md SW9, SW11): where it connects, and what a close
// from the server means for the person typing. The code is switched on, never the reason text. Pure.
import {
  COLLAB_PATH,
  collabCloseOf,
  isTerminalCollabClose,
  type CollabCloseReason,
} from '@hearth/schema/drafts/collab-wire';

/** [SW9] y-websocket's `serverUrl` for this page: `ws(s)://<host>/collab` (the room is the draft id). */
export function collabServerUrl(location: { readonly protocol: string; readonly host: string }): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${COLLAB_PATH}`;
}

export type CollabState =
  /** Trying to reach the room (first time or after a drop). */
  | { readonly kind: 'connecting' }
  /** In the room: edits flow both ways. */
  | { readonly kind: 'live' }
  /** No network: edits are kept on this device and merge when it is back. */
  | { readonly kind: 'offline' }
  /** The server closed the room to us for a reason; `terminal` ones are not retried. */
  | { readonly kind: 'closed'; readonly code: number; readonly message: string; readonly terminal: boolean };

const MESSAGES: Readonly<Record<CollabCloseReason['reason'], string>> = {
  malformed_message: 'The connection sent something the server could not read. Reload the page to reconnect.',
  unauthenticated: 'Your session has ended. Sign in again to keep writing together; your edits stay here.',
  not_an_author: 'You were removed from this draft, or you are not one of its authors.',
  draft_not_found: 'This draft does not exist on the server (it may not have synced yet).',
  origin_refused: 'This page is not allowed to open the draft. Open Hearth from its own address.',
  message_too_large: 'An edit was too large to send in one piece. Reload the page; your text is kept here.',
  session_revoked:
    'You were signed out (here or on another device). Sign in again to keep writing together; your edits stay here.',
  too_slow: 'The connection fell behind the edits of others; catching up…',
  server_stopping: 'The server is restarting; reconnecting…',
  unavailable: 'The server could not load or save this draft just now; trying again…',
};

/**
 * [SW11] What a close means: the server's typed reasons get a sentence a person can act on, and the
 * 44xx ones end the retries (trying again cannot help). Transport closes (1006, …) are plain drops: null.
 */
export function closeNotice(code: number): { message: string; terminal: boolean } | null {
  const typed = collabCloseOf(code);
  if (typed === undefined) return null;
  return { message: MESSAGES[typed.reason], terminal: isTerminalCollabClose(code) };
}

/** [SW9] The words for a state, short, for the editor's status line. */
export function stateLabel(state: CollabState): string {
  switch (state.kind) {
    case 'connecting':
      return 'Connecting…';
    case 'live':
      return 'Live: edits are shared as you type';
    case 'offline':
      return 'Offline: your edits are kept on this device and shared when you are back online';
    case 'closed':
      return state.message;
  }
}

/**
 * [SW11] Whether a terminal close is worth one more try once this device's pending changes are in:
 * a draft created (or an invitation accepted) here may not have reached the server when the editor
 * first connected. Other reasons, and a second refusal, stay final.
 */
export function retryAfterSync(state: CollabState, pending: number, alreadyRetried: boolean): boolean {
  if (state.kind !== 'closed' || pending > 0 || alreadyRetried) return false;
  const typed = collabCloseOf(state.code);
  return typed?.reason === 'draft_not_found' || typed?.reason === 'not_an_author';
}

/**
 * [SW16] Whether the server closed the room because the session ended (signed out here or on every
 * device, expired, revoked): the page then asks who is signed in, and reconnects once signed in again.
 */
export function sessionEndedClose(state: CollabState): boolean {
  if (state.kind !== 'closed') return false;
  const reason = collabCloseOf(state.code)?.reason;
  return reason === 'session_revoked' || reason === 'unauthenticated';
}
