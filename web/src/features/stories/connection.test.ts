// The collab socket's pure part (SPEC.md SW9, SW11).
import { CollabClose } from '@hearth/schema/drafts/collab-wire';
import { describe, expect, it } from 'vitest';
import {
  closeNotice,
  collabServerUrl,
  retryAfterSync,
  sessionEndedClose,
  stateLabel,
  type CollabState,
} from './connection';

describe('[SW9] where the editor connects', () => {
  it('[SW9] ws on http, wss on https, same host, /collab', () => {
    expect(collabServerUrl({ protocol: 'http:', host: '127.0.0.1:3106' })).toBe('ws://127.0.0.1:3106/collab');
    expect(collabServerUrl({ protocol: 'https:', host: 'hearth.example' })).toBe(
      'wss://hearth.example/collab',
    );
  });
});

describe('[SW11] close reasons', () => {
  it('[SW11] every typed reason has a sentence; 44xx stop the retries, the others do not', () => {
    for (const close of Object.values(CollabClose)) {
      const notice = closeNotice(close.code);
      expect(notice?.message).toBeTruthy();
      expect(notice?.message).not.toBe(close.reason);
      expect(notice?.terminal).toBe(close.code >= 4400 && close.code < 4500);
    }
  });

  it('[SW11] a removed co-author is told so', () => {
    expect(closeNotice(CollabClose.notAnAuthor.code)).toEqual({
      message: 'You were removed from this draft, or you are not one of its authors.',
      terminal: true,
    });
  });

  it('[SW11] a transport drop is no typed reason', () => {
    expect(closeNotice(1006)).toBeNull();
    expect(closeNotice(1000)).toBeNull();
  });

  it('[SW9] a closed state shows its message', () => {
    expect(stateLabel({ kind: 'closed', code: 4403, message: 'Gone', terminal: true })).toBe('Gone');
    expect(stateLabel({ kind: 'offline' })).toMatch(/kept on this device/);
  });
});

describe('[SW11] one more try once pending changes are in', () => {
  const closed = (code: number): CollabState => ({ kind: 'closed', code, message: 'm', terminal: true });

  it('[SW11] a draft or authorship the server did not know yet is tried again once the outbox is empty', () => {
    expect(retryAfterSync(closed(CollabClose.draftNotFound.code), 0, false)).toBe(true);
    expect(retryAfterSync(closed(CollabClose.notAnAuthor.code), 0, false)).toBe(true);
  });

  it('[SW11] not while changes are pending, not twice, and not for other reasons', () => {
    expect(retryAfterSync(closed(CollabClose.draftNotFound.code), 1, false)).toBe(false);
    expect(retryAfterSync(closed(CollabClose.draftNotFound.code), 0, true)).toBe(false);
    expect(retryAfterSync(closed(CollabClose.originRefused.code), 0, false)).toBe(false);
    expect(retryAfterSync({ kind: 'live' }, 0, false)).toBe(false);
  });
});

describe('[SW16] a session that ended', () => {
  it('[SW16] the session closes are recognised, and no other', () => {
    const closed = (code: number): CollabState => ({ kind: 'closed', code, message: '', terminal: true });
    expect(sessionEndedClose(closed(CollabClose.sessionRevoked.code))).toBe(true);
    expect(sessionEndedClose(closed(CollabClose.unauthenticated.code))).toBe(true);
    expect(sessionEndedClose(closed(CollabClose.notAnAuthor.code))).toBe(false);
    expect(sessionEndedClose(closed(CollabClose.tooSlow.code))).toBe(false);
    expect(sessionEndedClose({ kind: 'live' })).toBe(false);
  });

  it('[SW11] a slow connection is retried, a revoked session is not', () => {
    expect(closeNotice(CollabClose.tooSlow.code)?.terminal).toBe(false);
    expect(closeNotice(CollabClose.sessionRevoked.code)).toEqual({
      message:
        'You were signed out (here or on another device). Sign in again to keep writing together; your edits stay here.',
      terminal: true,
    });
  });
});
