// Who is in a draft (SPEC.md SW10): awareness states -> one entry per person.
import { describe, expect, it } from 'vitest';
import { colorFor, presenceLine, presenceOf } from './presence';

const ana = { id: 'u-ana', name: 'Ana', color: '#112233' };
const ben = { id: 'u-ben', name: 'Ben', color: '#445566' };

describe('[SW10] presence from awareness', () => {
  it('[SW10] one entry per person, this device first, then by name; two tabs of one person count once', () => {
    const states = new Map<number, unknown>([
      [7, { user: ben }],
      [3, { user: ana, cursor: null }],
      [9, { user: ben }],
    ]);
    expect(presenceOf(states, 3)).toEqual([
      { ...ana, self: true, clients: 1 },
      { ...ben, self: false, clients: 2 },
    ]);
  });

  it('[SW10] states without a usable user are left out; a missing name or colour gets a default', () => {
    const states = new Map<number, unknown>([
      [1, {}],
      [2, null],
      [3, { user: { name: 'No id' } }],
      [4, { user: { id: 'u-cy', name: '   ', color: 'red; background: url(x)' } }],
    ]);
    expect(presenceOf(states, 1)).toEqual([
      { id: 'u-cy', name: 'Someone', color: colorFor('u-cy'), self: false, clients: 1 },
    ]);
  });

  it('[SW10] a colour is the same for a person everywhere', () => {
    expect(colorFor('u-ana')).toBe(colorFor('u-ana'));
    expect(colorFor('u-ana')).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('[SW10] the line says who is here', () => {
    const you = { ...ana, self: true, clients: 1 };
    const other = { ...ben, self: false, clients: 1 };
    expect(presenceLine([])).toBe('No one is connected');
    expect(presenceLine([you])).toBe('Only you are here');
    expect(presenceLine([you, other])).toBe('You and Ben are here');
    expect(presenceLine([you, other, { ...other, id: 'x', name: 'Cy' }])).toBe('You, Ben and Cy are here');
  });
});
