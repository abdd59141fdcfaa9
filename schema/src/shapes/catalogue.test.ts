// The shape catalogue's rules that hold without a database (SPEC.md VZ0, VZ1, VZ10, VZ11).
import { describe, expect, it } from 'vitest';
import { allTables, syncedTables } from '../catalogue';
import { newId } from '../ids';
import { syncedColumnNames } from '../table';
import { namedShapes, shapeNamed } from './catalogue';
import { factsQuery } from './facts';
import { idList, shapeFacts, shapeQuery, visibilityFingerprint } from './query';
import { FACT_ORDER, kindOf, type FactName, type Viewer } from './terms';

/** A viewer with every fact loaded, each a list of fresh ids. */
function viewer(userId: string | null, siteRole: Viewer['siteRole'] = 'member'): Viewer {
  const facts: Partial<Record<FactName, string[]>> = {};
  for (const fact of FACT_ORDER) facts[fact] = [newId(), newId()].sort();
  return { userId, siteRole, facts };
}

const CREDENTIAL_LIKE = /hash|token|password|secret|private_key|email|storage_key|verifier|nonce/i;

describe('shape catalogue', () => {
  it('[VZ0] every synced table has exactly one named shape, and no server-only table has one', () => {
    expect(namedShapes.map((s) => s.table.name).sort()).toEqual(syncedTables.map((t) => t.name).sort());
    for (const table of allTables.filter((t) => t.sync === 'server-only'))
      expect(shapeNamed(table.name)).toBeUndefined();
    expect(shapeNamed('__proto__')).toBeUndefined();
    expect(shapeNamed('toString')).toBeUndefined();
  });

  it('[VZ0] a shape carries exactly its table synced columns, never a credential, hash, token or storage key', () => {
    const member = viewer(newId());
    for (const shape of namedShapes) {
      const facts = shape.access === 'signed-in' ? member : viewer(null);
      const query = shapeQuery(shape, facts);
      expect(query.columns).toEqual(syncedColumnNames(shape.table));
      for (const column of query.columns) expect(column).not.toMatch(CREDENTIAL_LIKE);
    }
    expect(shapeQuery(shapeNamed('media')!, member).columns).not.toContain('storage_key');
  });

  it('[VZ0] ticket passes, receipts, consents, follows and blocks are the viewer own rows only', () => {
    const a = viewer(newId());
    const b = viewer(newId());
    for (const name of ['ticket_passes', 'receipts', 'consents', 'follows', 'blocks']) {
      const shape = shapeNamed(name)!;
      const qa = shapeQuery(shape, a);
      expect(Object.values(qa.params)).toEqual([a.userId]);
      expect(qa.where).toMatch(/^[a-z_]+ = \$1$/);
      expect(visibilityFingerprint(qa)).not.toBe(visibilityFingerprint(shapeQuery(shape, b)));
    }
  });

  it('[VZ1] shapes for everyone give the same definition to every viewer', () => {
    const viewers = [viewer(null), viewer(newId()), viewer(newId(), 'moderator')];
    for (const shape of namedShapes.filter((s) => s.access === 'everyone')) {
      const fingerprints = viewers.map((v) => visibilityFingerprint(shapeQuery(shape, v)));
      expect(new Set(fingerprints).size).toBe(1);
      expect(shapeFacts(shape, viewers[1]!)).toEqual([]);
    }
  });

  it('[VZ1] anonymous viewers never need a fact about a user, and signed-in-only shapes refuse them', () => {
    const anonymous = viewer(null);
    for (const shape of namedShapes) {
      if (shape.access === 'signed-in') {
        expect(() => shapeQuery(shape, anonymous)).toThrow(/anonymous/);
        continue;
      }
      const query = shapeQuery(shape, anonymous);
      for (const value of Object.values(query.params)) expect(value).not.toBe(anonymous.userId);
      const sql = factsQuery(shapeFacts(shape, anonymous), kindOf(anonymous));
      expect(sql.text).not.toContain('$1');
    }
  });

  it('[VZ11] the fingerprint is stable, and changes when a fact the shape uses changes', () => {
    const shape = shapeNamed('communities')!;
    const v = viewer(newId());
    const same: Viewer = { ...v, facts: { ...v.facts } };
    expect(visibilityFingerprint(shapeQuery(shape, v))).toBe(visibilityFingerprint(shapeQuery(shape, same)));
    const removed: Viewer = { ...v, facts: { ...v.facts, joinedCommunityIds: [] } };
    expect(visibilityFingerprint(shapeQuery(shape, removed))).not.toBe(
      visibilityFingerprint(shapeQuery(shape, v)),
    );
    // A fact the shape does not use changes nothing.
    const otherFact: Viewer = { ...v, facts: { ...v.facts, hostedEventIds: [] } };
    expect(visibilityFingerprint(shapeQuery(shape, otherFact))).toBe(
      visibilityFingerprint(shapeQuery(shape, v)),
    );
  });

  it('[VZ11] params are the viewer id and id lists, numbered in order of first use', () => {
    const v = viewer(newId());
    const query = shapeQuery(shapeNamed('memberships')!, v);
    expect(query.where).toBe(
      "(user_id = $1) OR ((community_id = ANY($2)) AND (status::text = 'active')) OR (community_id = ANY($3))",
    );
    expect(query.params).toEqual({
      '1': v.userId,
      '2': `{${v.facts.activeCommunityIds!.join(',')}}`,
      '3': `{${v.facts.adminCommunityIds!.join(',')}}`,
    });
  });

  it('[VZ11] a fact value that is not a UUID is a bug, never spliced into an array literal', () => {
    expect(idList([])).toBe('{}');
    expect(() => idList(['x"},{1'])).toThrow(/not a UUID/);
  });

  it('[VZ10] the facts query loads only what the shape needs, each fact after the ones it uses', () => {
    const member = viewer(newId());
    expect(shapeFacts(shapeNamed('receipts')!, member)).toEqual([]);
    expect(shapeFacts(shapeNamed('rsvps')!, member)).toEqual(['hostedEventIds']);
    const needed = shapeFacts(shapeNamed('reactions')!, member);
    expect(needed).toContain('visibleCommentIds');
    expect(needed.indexOf('visibleEventIds')).toBeLessThan(needed.indexOf('visibleCommentIds'));
    const sql = factsQuery(needed, kindOf(member));
    expect(sql.text.match(/\$\d+/g)?.every((p) => p === '$1')).toBe(true);
    // Moderators see every report: no facts needed, no where.
    const moderator = viewer(newId(), 'moderator');
    expect(shapeQuery(shapeNamed('reports')!, moderator).where).toBeNull();
  });
});
