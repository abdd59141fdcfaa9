// The metadata form's pure part (SPEC.md SW7).
import { describe, expect, it } from 'vitest';
import { checkDraftForm, formOfDraft, splitTags, type DraftForm } from './draft-form';

const FORM: DraftForm = {
  title: '  The   river  ',
  communityId: '',
  language: 'es',
  visibility: 'public',
  contentWarning: ' ',
  emotions: ['joy', 'hope', 'joy'],
  cultures: 'Yoruba, yoruba,  Quechua ',
  places: 'São Paulo',
  languages: '',
};

describe('[SW7] the metadata form', () => {
  it('[SW7] a valid form becomes updateDraft args: trimmed, empties as null, tags one per slug', () => {
    expect(checkDraftForm('d-1', FORM)).toEqual({
      ok: true,
      args: {
        draftId: 'd-1',
        title: 'The river',
        communityId: null,
        language: 'es',
        visibility: 'public',
        contentWarning: null,
        emotions: ['joy', 'hope'],
        tags: [
          { kind: 'culture', label: 'Yoruba' },
          { kind: 'culture', label: 'Quechua' },
          { kind: 'place', label: 'São Paulo' },
        ],
      },
    });
  });

  it('[SW7] what is wrong is said per field', () => {
    const result = checkDraftForm('d-1', {
      ...FORM,
      title: 'x'.repeat(201),
      language: 'english please',
      visibility: 'community',
      contentWarning: 'w'.repeat(201),
      places: '!!!',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual([
      'communityId',
      'contentWarning',
      'language',
      'places',
      'title',
    ]);
    expect(result.errors.places).toBe('"!!!" needs at least one letter or digit.');
  });

  it('[SW7] too many emotions or tags are said before sending', () => {
    const many = checkDraftForm('d-1', {
      ...FORM,
      emotions: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'],
      cultures: Array.from({ length: 15 }, (_, i) => `c${i}`).join(','),
      places: Array.from({ length: 6 }, (_, i) => `p${i}`).join(','),
    });
    expect(many.ok).toBe(false);
    if (many.ok) return;
    expect(many.errors.emotions).toMatch(/at most 8 emotions/);
    expect(many.errors.places).toMatch(/at most 20/);
    expect(many.errors.cultures).toBeUndefined();
  });

  it('[SW7] tags split on commas of several scripts and skip empty parts', () => {
    expect(splitTags('language', 'Swahili، Arabic，日本語、 ,').tags.map((tag) => tag.label)).toEqual([
      'Swahili',
      'Arabic',
      '日本語',
    ]);
  });

  it('[SW7] the form shows a draft as the replica holds it', () => {
    const form = formOfDraft(
      { title: 'T', community_id: null, language: 'en', visibility: 'private', content_warning: null },
      ['grief'],
      [
        { kind: 'culture', label: 'Andean' },
        { kind: 'place', label: 'Lima' },
        { kind: 'culture', label: 'Aymara' },
      ],
    );
    expect(form).toMatchObject({
      communityId: '',
      contentWarning: '',
      cultures: 'Andean, Aymara',
      places: 'Lima',
    });
    expect(checkDraftForm('d', form)).toMatchObject({ ok: true });
  });
});
