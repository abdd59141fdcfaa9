// The wire of a collab socket (SPEC.md CO4–CO6): y-protocols sync + awareness frames, as y-websocket
// speaks them. Pure: every client frame is decoded and checked here, completely, before any of it
// touches a room, so random or truncated bytes are refused whole and never half-applied.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import type { AwarenessUser } from '@hearth/schema/drafts/collab-wire';

// y-websocket's top-level message types and y-protocols/sync's sub-types.
export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;
export const SYNC_STEP_1 = 0;
export const SYNC_STEP_2 = 1;
export const SYNC_UPDATE = 2;

export interface AwarenessEntry {
  readonly clientId: number;
  readonly clock: number;
  /** null: the client left (or cleared its presence). */
  readonly state: Record<string, unknown> | null;
}

export type ClientMessage =
  | { readonly kind: 'sync-step-1'; readonly stateVector: Uint8Array }
  | { readonly kind: 'sync-step-2' | 'update'; readonly update: Uint8Array }
  | { readonly kind: 'awareness'; readonly entries: readonly AwarenessEntry[] }
  | { readonly kind: 'query-awareness' };

export type Decoded = { ok: true; message: ClientMessage } | { ok: false; problem: string };

class Malformed extends Error {}

/** A length-prefixed byte string, bounds-checked and copied (a ws Buffer may be a view into a larger pool). */
function readBytes(decoder: decoding.Decoder): Uint8Array {
  const length = decoding.readVarUint(decoder);
  const end = decoder.pos + length;
  if (end > decoder.arr.length) throw new Malformed(`a field claims ${length} bytes past the end`);
  const bytes = decoder.arr.slice(decoder.pos, end);
  decoder.pos = end;
  return bytes;
}

function readUint(decoder: decoding.Decoder): number {
  return decoding.readVarUint(decoder);
}

function decodeAwarenessEntries(bytes: Uint8Array): AwarenessEntry[] {
  const decoder = decoding.createDecoder(bytes);
  const count = readUint(decoder);
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = readUint(decoder);
    const clock = readUint(decoder);
    const json = new TextDecoder('utf-8', { fatal: true }).decode(readBytes(decoder));
    const state: unknown = JSON.parse(json);
    if (state !== null && (typeof state !== 'object' || Array.isArray(state)))
      throw new Malformed('an awareness state is neither an object nor null');
    entries.push({ clientId, clock, state: state as Record<string, unknown> | null });
  }
  if (decoding.hasContent(decoder)) throw new Malformed('trailing bytes after the awareness states');
  return entries;
}

function decodeOrThrow(frame: Uint8Array): ClientMessage {
  const decoder = decoding.createDecoder(frame);
  const type = readUint(decoder);
  let message: ClientMessage;
  switch (type) {
    case MESSAGE_SYNC: {
      const step = readUint(decoder);
      if (step === SYNC_STEP_1) {
        const stateVector = readBytes(decoder);
        Y.decodeStateVector(stateVector);
        message = { kind: 'sync-step-1', stateVector };
      } else if (step === SYNC_STEP_2 || step === SYNC_UPDATE) {
        const update = readBytes(decoder);
        // Parses every struct and the delete set: a corrupt update throws here, not inside the room.
        Y.decodeUpdate(update);
        message = { kind: step === SYNC_STEP_2 ? 'sync-step-2' : 'update', update };
      } else {
        throw new Malformed(`unknown sync step ${step}`);
      }
      break;
    }
    case MESSAGE_AWARENESS:
      message = { kind: 'awareness', entries: decodeAwarenessEntries(readBytes(decoder)) };
      break;
    case MESSAGE_QUERY_AWARENESS:
      message = { kind: 'query-awareness' };
      break;
    default:
      // MESSAGE_AUTH flows only from server to client; anything else is not y-websocket.
      throw new Malformed(`unknown message type ${type}`);
  }
  if (decoding.hasContent(decoder)) throw new Malformed('trailing bytes after the message');
  return message;
}

/** CO5: the whole frame decoded and checked, or why not. Never throws. */
export function decodeClientMessage(frame: Uint8Array): Decoded {
  try {
    return { ok: true, message: decodeOrThrow(frame) };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
}

function frame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}

export function encodeSyncStep1(stateVector: Uint8Array): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, MESSAGE_SYNC);
    encoding.writeVarUint(e, SYNC_STEP_1);
    encoding.writeVarUint8Array(e, stateVector);
  });
}

export function encodeSyncStep2(update: Uint8Array): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, MESSAGE_SYNC);
    encoding.writeVarUint(e, SYNC_STEP_2);
    encoding.writeVarUint8Array(e, update);
  });
}

export function encodeUpdate(update: Uint8Array): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, MESSAGE_SYNC);
    encoding.writeVarUint(e, SYNC_UPDATE);
    encoding.writeVarUint8Array(e, update);
  });
}

/** The awareness payload (y-protocols' `encodeAwarenessUpdate` format) for these entries. */
export function encodeAwarenessEntries(entries: readonly AwarenessEntry[]): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, entries.length);
    for (const entry of entries) {
      encoding.writeVarUint(e, entry.clientId);
      encoding.writeVarUint(e, entry.clock);
      encoding.writeVarString(e, JSON.stringify(entry.state));
    }
  });
}

/** A full awareness frame around a payload from `encodeAwarenessEntries` or y-protocols. */
export function encodeAwareness(payload: Uint8Array): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(e, payload);
  });
}

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/** A stable colour for a user who did not pick one: a hue from the id, fixed lightness. */
export function colorFor(userId: string): string {
  let hash = 0;
  for (const char of userId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const hue = hash % 360;
  // HSL(h, 65%, 45%) to hex, so every colour is the `#rrggbb` carets expect.
  const s = 0.65;
  const l = 0.45;
  const f = (n: number) => {
    const k = (n + hue / 30) % 12;
    const c = l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(c * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

/** CO7: the `user` of each state is who the session says, whatever the client wrote there. */
export function stampAwareness(
  entries: readonly AwarenessEntry[],
  who: { readonly userId: string; readonly displayName: string },
): AwarenessEntry[] {
  return entries.map((entry) => {
    if (entry.state === null) return entry;
    const claimed = entry.state.user;
    const claimedColor =
      typeof claimed === 'object' && claimed !== null && 'color' in claimed ? claimed.color : undefined;
    const user: AwarenessUser = {
      id: who.userId,
      name: who.displayName,
      color:
        typeof claimedColor === 'string' && HEX_COLOR.test(claimedColor)
          ? claimedColor
          : colorFor(who.userId),
    };
    return { ...entry, state: { ...entry.state, user } };
  });
}
