// Gatherings' clocks (./SPEC.md GW1, GW2), with fixed instants, zones and locale.
import { describe, expect, it } from 'vitest';
import { clockTime, dayKey, eventWhen, instantToWallClock, wallClockToInstant } from './time';

const START = Date.UTC(2026, 10, 23, 18, 30); // Mon 23 Nov 2026, 18:30 UTC
const END = Date.UTC(2026, 10, 23, 21, 0);

describe('gatherings time', () => {
  it('[GW1] an event elsewhere shows the span on the viewer’s clock and on the event’s clock', () => {
    const when = eventWhen(START, END, 'America/Mexico_City', 'Europe/London', 'en-GB');
    expect(when.local).toMatch(/18:30.*21:00/);
    expect(when.local).toContain('GMT');
    expect(when.atEvent).toMatch(/12:30.*15:00/);
  });

  it('[GW1] an event in the viewer’s zone shows one clock', () => {
    expect(eventWhen(START, END, 'Europe/London', 'Europe/London', 'en-GB').atEvent).toBeNull();
  });

  it('[GW1] an unknown event zone still shows the viewer’s clock', () => {
    const when = eventWhen(START, END, 'Mars/Olympus', 'Asia/Tokyo', 'en-GB');
    expect(when.local).toContain('03:30');
    expect(when.atEvent).toBeNull();
  });

  it('[GW1] a late evening in New York is the next day in Tokyo: days group on the viewer’s clock', () => {
    const late = Date.UTC(2026, 10, 24, 3, 0); // 22:00 on the 23rd in New York
    expect(dayKey(late, 'America/New_York')).toBe('2026-11-23');
    expect(dayKey(late, 'Asia/Tokyo')).toBe('2026-11-24');
    expect(clockTime(late, 'America/New_York', 'en-GB')).toBe('22:00');
  });

  it('[GW2] a wall-clock time is read in the event’s zone, across a DST change', () => {
    expect(wallClockToInstant('2026-11-23T19:00', 'Europe/Paris')?.toISOString()).toBe(
      '2026-11-23T18:00:00.000Z',
    );
    expect(wallClockToInstant('2026-07-01T19:00', 'Europe/Paris')?.toISOString()).toBe(
      '2026-07-01T17:00:00.000Z',
    );
    expect(instantToWallClock(Date.UTC(2026, 6, 1, 17, 0), 'Europe/Paris')).toBe('2026-07-01T19:00');
  });

  it('[GW2] a malformed value or an unknown zone gives no instant', () => {
    expect(wallClockToInstant('tomorrow at 7', 'Europe/Paris')).toBeNull();
    expect(wallClockToInstant('2026-11-23T19:00', 'Nowhere/Land')).toBeNull();
  });
});
