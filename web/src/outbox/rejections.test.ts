// OB15: what a person reads about a refused change; the code picks the words, never the message.
import { describe, expect, it } from 'vitest';
import { changeName, rejectionText } from './rejections';

describe('rejected changes, in words', () => {
  it('[OB15] a change is named in words from its mutation name', () => {
    expect(changeName('createCommunity')).toBe('Create community');
    expect(changeName('updateProfile')).toBe('Update profile');
    expect(changeName('')).toBe('A change');
  });

  it("[OB15] the server's sentence is the reason, and the typed code picks what to do about it", () => {
    const text = rejectionText({
      name: 'createCommunity',
      code: 'slug_taken',
      message: 'slug: the address "circle" is taken; pick another.',
    });
    expect(text).toEqual({
      change: 'Create community',
      reason: 'slug: the address "circle" is taken; pick another.',
      hint: 'Make the change again with another address.',
    });
  });

  it('[OB15] with no message from the server, the code still gives a plain reason', () => {
    expect(rejectionText({ name: 'joinCommunity', code: 'forbidden', message: ' ' }).reason).toBe(
      'You are not allowed to do this.',
    );
  });

  it('[OB15] an unknown code still reads as a refusal that changed nothing on the server', () => {
    const text = rejectionText({ name: 'rsvp', code: 'capacity_full', message: '' });
    expect(text.reason).toBe('The server refused this change.');
    expect(text.hint).toMatch(/Nothing was changed on the server/);
  });
});
