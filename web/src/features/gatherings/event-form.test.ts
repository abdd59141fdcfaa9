// The event form's pure part (./SPEC.md GW2).
import { describe, expect, it } from 'vitest';
import { readDraft, type EventDraft } from './event-form';

const DRAFT: EventDraft = {
  title: ' Poetry night ',
  description: '',
  visibility: 'public',
  starts: '2030-05-04T19:00',
  ends: '2030-05-04T22:00',
  timeZone: 'Africa/Lagos',
  placeName: 'Yaba Library',
  address: '',
  onlineUrl: '',
  capacity: '40',
  requiresApproval: false,
  guestLimit: '1',
};

describe('event form', () => {
  it('[GW2] wall-clock times are read in the event’s zone and sent as instants', () => {
    const result = readDraft(DRAFT);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.fields.startsAt).toBe('2030-05-04T18:00:00.000Z');
      expect(result.fields.endsAt).toBe('2030-05-04T21:00:00.000Z');
      expect(result.fields.title).toBe('Poetry night');
      expect(result.fields.capacity).toBe(40);
      expect(result.fields.onlineUrl).toBeNull();
    }
  });

  it('[GW2] an empty seat count means no limit', () => {
    const result = readDraft({ ...DRAFT, capacity: '' });
    expect(result.ok && result.fields.capacity).toBeNull();
  });

  it('[GW2] bad input names the field and says what to do', () => {
    expect(readDraft({ ...DRAFT, ends: '2030-05-04T18:00' })).toMatchObject({ ok: false, field: 'ends' });
    expect(readDraft({ ...DRAFT, placeName: '' })).toMatchObject({ ok: false, field: 'placeName' });
    expect(readDraft({ ...DRAFT, capacity: 'lots' })).toMatchObject({ ok: false, field: 'capacity' });
    expect(readDraft({ ...DRAFT, guestLimit: '21' })).toMatchObject({ ok: false, field: 'guestLimit' });
    expect(readDraft({ ...DRAFT, onlineUrl: 'zoom me' })).toMatchObject({ ok: false, field: 'onlineUrl' });
  });
});
