// The argument schemas of the account and community mutations: limits match the migrations' CHECKs,
// objects are strict, text is clean, locales and zones are stored in their canonical spelling.
import { describe, expect, it } from 'vitest';
import { mutations } from '../../src/mutations/index';
import { newId } from '../../src/ids';

const ok = (schema: { safeParse(v: unknown): { success: boolean } }, value: unknown) =>
  expect(schema.safeParse(value).success, JSON.stringify(value)).toBe(true);
const refused = (schema: { safeParse(v: unknown): { success: boolean } }, value: unknown) =>
  expect(schema.safeParse(value).success, JSON.stringify(value)).toBe(false);

describe('updateProfile args', () => {
  const args = mutations.updateProfile.args;

  it('[MU9] takes any of displayName, bio, locale, timeZone, and at least one', () => {
    ok(args, { displayName: 'Ada' });
    ok(args, { bio: '', locale: 'fr', timeZone: 'Europe/Paris' });
    refused(args, {});
    refused(args, { displayName: 'Ada', userId: newId() });
  });

  it('[MU9] display names are one trimmed line of 1..80 characters', () => {
    expect(args.parse({ displayName: '  Ada  ' })).toEqual({ displayName: 'Ada' });
    refused(args, { displayName: '   ' });
    refused(args, { displayName: 'x'.repeat(81) });
    refused(args, { displayName: 'a\nb' });
    refused(args, { displayName: 'a\u0000b' });
    refused(args, { displayName: 'a\ud800b' });
    ok(args, { displayName: 'Zoë 🌱 山田' });
  });

  it('[MU9] bios span lines, up to 2000 characters, without control characters', () => {
    ok(args, { bio: 'line one\nline two\ttabbed' });
    refused(args, { bio: 'x'.repeat(2001) });
    refused(args, { bio: 'bell\u0007' });
  });

  it('[MU9] locale and time zone are checked and stored canonically', () => {
    expect(args.parse({ locale: 'pt-br', timeZone: 'utc' })).toEqual({ locale: 'pt-BR', timeZone: 'UTC' });
    refused(args, { locale: 'not a locale!' });
    refused(args, { timeZone: 'Europe/Nowhere' });
    refused(args, { timeZone: "UTC'; drop table users; --" });
  });
});

describe('community args', () => {
  const create = mutations.createCommunity.args;
  const base = { id: newId(), membershipId: newId(), slug: 'lagos-poets', name: 'Lagos Poets' };

  it('[MU12] slugs are lower-case words joined by single hyphens, at most 64 characters', () => {
    ok(create, base);
    for (const slug of ['Lagos', 'a--b', '-a', 'a-', 'a b', "a'b", 'x'.repeat(65), ''])
      refused(create, { ...base, slug });
  });

  it('[MU12] new row ids are UUID v7 made by the client', () => {
    refused(create, { ...base, id: '3b241101-e2bb-4255-8caf-4136c566a962' });
    refused(create, { ...base, membershipId: 'not-a-uuid' });
  });

  it('[MU3] a private community takes members by approval', () => {
    ok(create, { ...base, visibility: 'private', joinPolicy: 'approval' });
    refused(create, { ...base, visibility: 'private' });
    refused(create, { ...base, visibility: 'private', joinPolicy: 'open' });
  });

  it('[MU13] an update names its community and changes at least one field', () => {
    const update = mutations.updateCommunity.args;
    refused(update, { communityId: newId() });
    ok(update, { communityId: newId(), description: '' });
    refused(update, { communityId: newId(), slug: 'new-slug' });
    refused(update, { communityId: newId(), name: 'x'.repeat(121) });
    refused(update, { communityId: newId(), description: 'x'.repeat(10_001) });
  });

  it('[MU8] roles and decisions come from closed sets', () => {
    ok(mutations.changeRole.args, { communityId: newId(), userId: newId(), role: 'organizer' });
    refused(mutations.changeRole.args, { communityId: newId(), userId: newId(), role: 'owner' });
    refused(mutations.decideMembership.args, { communityId: newId(), userId: newId(), decision: 'maybe' });
  });

  it('[WP1] no mutation takes an author, a time or a status from the client', () => {
    for (const mutation of Object.values(mutations)) {
      for (const key of ['userId', 'createdBy', 'created_by', 'now', 'createdAt', 'updatedAt']) {
        const shape = (mutation.args as unknown as { shape?: Record<string, unknown> }).shape;
        if (key === 'userId' && shape && 'userId' in shape) continue; // the *other* person acted on
        expect(shape ? key in shape : false, `${mutation.name}.${key}`).toBe(false);
      }
    }
  });
});
