import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import {
  decodeClientMessage,
  encodeUpdate,
  stampAwareness,
  MESSAGE_AWARENESS,
  MESSAGE_SYNC,
} from './messages';

function syncFrame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

function editedDoc(): Y.Doc {
  const doc = new Y.Doc();
  doc.getXmlFragment('content').insert(0, [new Y.XmlText('hello, a line long enough to cut in many places')]);
  return doc;
}

/** A deterministic stream of bytes (xorshift), so a failure can be replayed. */
function randomBytes(seed: number, length: number): Uint8Array {
  let x = seed || 1;
  return Uint8Array.from({ length }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  });
}

describe('collab frames', () => {
  it('[CO4] decodes every frame y-websocket sends', () => {
    const doc = editedDoc();
    const step1 = syncFrame((e) => syncProtocol.writeSyncStep1(e, doc));
    const step2 = syncFrame((e) => syncProtocol.writeSyncStep2(e, doc));
    const update = encodeUpdate(Y.encodeStateAsUpdate(doc));
    const awareness = new awarenessProtocol.Awareness(doc);
    awareness.setLocalState({ user: { name: 'x' }, cursor: null });
    const presence = (() => {
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, MESSAGE_AWARENESS);
      encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID]));
      return encoding.toUint8Array(e);
    })();
    awareness.destroy();
    expect(decodeClientMessage(step1)).toMatchObject({ ok: true, message: { kind: 'sync-step-1' } });
    expect(decodeClientMessage(step2)).toMatchObject({ ok: true, message: { kind: 'sync-step-2' } });
    expect(decodeClientMessage(update)).toMatchObject({ ok: true, message: { kind: 'update' } });
    expect(decodeClientMessage(presence)).toMatchObject({
      ok: true,
      message: { kind: 'awareness', entries: [{ clientId: doc.clientID, state: { user: { name: 'x' } } }] },
    });
    expect(decodeClientMessage(Uint8Array.of(3))).toMatchObject({
      ok: true,
      message: { kind: 'query-awareness' },
    });
  });

  it('[CO5] every truncation of a valid update frame is refused whole', () => {
    const frame = encodeUpdate(Y.encodeStateAsUpdate(editedDoc()));
    for (let cut = 0; cut < frame.length; cut++)
      expect(decodeClientMessage(frame.slice(0, cut)).ok, `cut at ${cut}`).toBe(false);
  });

  it('[CO5] trailing bytes, unknown types and a frame claiming bytes it does not have are refused', () => {
    const frame = encodeUpdate(Y.encodeStateAsUpdate(editedDoc()));
    expect(decodeClientMessage(Uint8Array.of(...frame, 0)).ok).toBe(false);
    expect(decodeClientMessage(Uint8Array.of(7, 1, 2)).ok).toBe(false);
    expect(decodeClientMessage(Uint8Array.of(2, 0)).ok).toBe(false); // auth flows server -> client only
    expect(decodeClientMessage(Uint8Array.of(0, 9, 0)).ok).toBe(false); // no sync step 9
    // A length prefix past the end, inside a larger buffer (ws hands out views into pooled memory).
    const pool = new Uint8Array(64).fill(1);
    pool.set([0, 2, 40], 0);
    expect(decodeClientMessage(pool.subarray(0, 3)).ok).toBe(false);
  });

  it('[CO5] random bytes never throw, and none of them is taken for an update', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const bytes = randomBytes(seed, 1 + (seed % 200));
      const decoded = decodeClientMessage(bytes);
      if (decoded.ok) expect(['query-awareness', 'sync-step-1']).toContain(decoded.message.kind);
    }
  });

  it('[CO7] presence names the session user, whatever the client claims; a #rrggbb colour is kept', () => {
    const who = { userId: 'u-1', displayName: 'Ana' };
    const [stamped, cleared, plain] = stampAwareness(
      [
        {
          clientId: 1,
          clock: 1,
          state: { user: { id: 'forged', name: 'Mallory', color: '#12ab34' }, cursor: 5 },
        },
        { clientId: 2, clock: 3, state: null },
        { clientId: 3, clock: 1, state: { user: { color: 'red; background: url(x)' } } },
      ],
      who,
    );
    expect(stamped?.state).toEqual({ user: { id: 'u-1', name: 'Ana', color: '#12ab34' }, cursor: 5 });
    expect(cleared?.state).toBeNull();
    expect(plain?.state?.user).toMatchObject({ id: 'u-1', name: 'Ana' });
    expect((plain?.state?.user as { color: string }).color).toMatch(/^#[0-9a-f]{6}$/);
  });
});
