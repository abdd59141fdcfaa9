// The auth status's "not known yet" phase (./SPEC.md AU14).
import { describe, expect, it } from 'vitest';
import { authStatus } from './phase';

describe('[AU14] the auth status is unknown until it is known', () => {
  it('[AU14] is loading until the replica identity has been read, whatever the server said', () => {
    expect(authStatus('unread', 'not-asked')).toBe('loading');
    expect(authStatus('unread', 'pending')).toBe('loading');
    expect(authStatus('unread', 'done')).toBe('loading');
  });

  it('[AU14] an identity in the replica means signed in at once, before the server answers', () => {
    expect(authStatus('present', 'pending')).toBe('signed-in');
    expect(authStatus('present', 'done')).toBe('signed-in');
  });

  it('[AU14] no identity is "signed out" only once the first server check is over', () => {
    expect(authStatus('none', 'pending')).toBe('loading');
    expect(authStatus('none', 'done')).toBe('signed-out');
  });

  it('[AU14] with no server check asked for, the replica alone decides', () => {
    expect(authStatus('none', 'not-asked')).toBe('signed-out');
  });
});
