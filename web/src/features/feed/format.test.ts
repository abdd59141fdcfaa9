// The feed's time and language wording, with fixed locale and zones.
import { describe, expect, it } from 'vitest';
import { eventTimes, languageName } from './format';

const START = Date.UTC(2026, 10, 23, 18, 30); // Mon 23 Nov 2026, 18:30 UTC

describe('feed formatting', () => {
  it('[FD1] an event elsewhere shows the viewer’s clock and the event’s clock', () => {
    const times = eventTimes(START, 'America/Mexico_City', 'Europe/London', 'en-GB');
    expect(times.local).toContain('18:30');
    expect(times.local).toContain('GMT');
    expect(times.atEvent).toContain('12:30');
  });

  it('[FD1] an event in the viewer’s zone shows one clock', () => {
    expect(eventTimes(START, 'Europe/London', 'Europe/London', 'en-GB').atEvent).toBeNull();
  });

  it('[FD1] an unknown event zone still shows the viewer’s clock', () => {
    const times = eventTimes(START, 'Mars/Olympus', 'Europe/London', 'en-GB');
    expect(times.local).toContain('18:30');
    expect(times.atEvent).toBeNull();
  });

  it('[FD2] a language tag reads as its name, an unknown one as itself', () => {
    expect(languageName('es', 'en')).toBe('Spanish');
    expect(languageName('not a tag!', 'en')).toBe('not a tag!');
  });
});
