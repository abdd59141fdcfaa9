// Discovery over the replica (./SPEC.md GW5).
import { describe, expect, it } from 'vitest';
import { byDay, findEvents, fold, matches, queryWords, type Findable } from './search';

function event(id: string, title: string, startsMs: number, extra: Partial<Findable> = {}): Findable {
  return {
    id,
    title,
    description: '',
    place_name: '',
    address: '',
    community_id: 'c1',
    community_name: 'Lagos Poets',
    starts_ms: startsMs,
    ...extra,
  };
}

const DAY1 = Date.UTC(2026, 10, 23, 18, 0);
const DAY2 = Date.UTC(2026, 10, 24, 18, 0);

describe('event search', () => {
  it('[GW5] words match in any order, without case or accents', () => {
    const reading = event('a', 'Poésie au Café', DAY1, { place_name: 'Yaba Library' });
    expect(fold('  Café   POÉSIE ')).toBe('cafe poesie');
    expect(matches(reading, queryWords('cafe poesie'))).toBe(true);
    expect(matches(reading, queryWords('yaba poesie'))).toBe(true);
    expect(matches(reading, queryWords('lagos'))).toBe(true);
    expect(matches(reading, queryWords('jazz'))).toBe(false);
    expect(matches(reading, queryWords('   '))).toBe(true);
  });

  it('[GW5] filters by community and first day, in start order', () => {
    const events = [
      event('b', 'Late', DAY2),
      event('a', 'Early', DAY1),
      event('c', 'Other', DAY1, { community_id: 'c2', community_name: 'Others' }),
    ];
    expect(
      findEvents(events, { query: '', communityId: 'c1', fromDay: null }, 'UTC').map((e) => e.id),
    ).toEqual(['a', 'b']);
    expect(
      findEvents(events, { query: '', communityId: null, fromDay: '2026-11-24' }, 'UTC').map((e) => e.id),
    ).toEqual(['b']);
  });

  it('[GW5] groups by the day on the viewer’s clock', () => {
    const groups = byDay(
      [event('a', 'A', DAY1), event('b', 'B', DAY1 + 3_600_000), event('c', 'C', DAY2)],
      'UTC',
    );
    expect(groups.map((g) => [g.day, g.events.length])).toEqual([
      ['2026-11-23', 2],
      ['2026-11-24', 1],
    ]);
  });
});
