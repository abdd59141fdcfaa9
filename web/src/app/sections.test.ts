// Which header section a path belongs to (SPEC.md SH2).
import { describe, expect, it } from 'vitest';
import { sectionOf } from './sections';

describe('[SH2] the current section', () => {
  it('[SH2] stories and drafts are Stories; events and communities are Gatherings, at any depth', () => {
    expect(sectionOf('/stories')).toBe('stories');
    expect(sectionOf('/stories/01a2')).toBe('stories');
    expect(sectionOf('/drafts/01a2')).toBe('stories');
    expect(sectionOf('/events')).toBe('gatherings');
    expect(sectionOf('/events/01a2/check-in')).toBe('gatherings');
    expect(sectionOf('/communities/new')).toBe('gatherings');
  });

  it('[SH2] the shell’s own screens and unknown paths belong to no section', () => {
    expect(sectionOf('/')).toBeNull();
    expect(sectionOf('/account')).toBeNull();
    expect(sectionOf('/signin?next=/stories')).toBeNull();
    expect(sectionOf('/constructor')).toBeNull();
    expect(sectionOf('/storiesx')).toBeNull();
  });

  it('[SH2] a query or hash does not change the section', () => {
    expect(sectionOf('/stories?emotion=joy')).toBe('stories');
    expect(sectionOf('/events#rsvp')).toBe('gatherings');
  });
});
