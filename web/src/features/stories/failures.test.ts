// SW14: refusals of draft changes in words, by typed code.
import { ErrorCode } from '@hearth/schema/errors';
import { describe, expect, it } from 'vitest';
import { localFailureText, refusalText } from './failures';

describe('[SW14] refusals in words', () => {
  it('[SW14] each code the draft mutations use has its own sentence, not the code', () => {
    for (const code of [
      ErrorCode.unauthenticated,
      ErrorCode.validationFailed,
      ErrorCode.notDraftAuthor,
      ErrorCode.notDraftOwner,
      ErrorCode.draftArchived,
      ErrorCode.draftIncomplete,
      ErrorCode.unknownEmotion,
      ErrorCode.notMember,
      ErrorCode.notFound,
      ErrorCode.conflict,
      ErrorCode.forbidden,
    ]) {
      const text = refusalText(code);
      expect(text.length).toBeGreaterThan(20);
      expect(text).not.toContain(code);
    }
  });

  it('[SW14] the server sentence is kept where it names the detail, without its field prefix', () => {
    expect(
      refusalText(ErrorCode.draftIncomplete, 'title: give the draft a title before publishing it.'),
    ).toBe('Give the draft a title before publishing it.');
    expect(
      refusalText(
        ErrorCode.draftIncomplete,
        'The draft has no text yet; write something before publishing it.',
      ),
    ).toBe('The draft has no text yet; write something before publishing it.');
  });

  it('[SW14] for other codes the words are chosen by the code, whatever the message says', () => {
    expect(refusalText(ErrorCode.notDraftOwner, 'role check failed: owner expected')).toBe(
      'Only the owner of this draft can do this.',
    );
  });

  it('[SW14] an unknown code shows the server sentence, or a plain fallback', () => {
    expect(refusalText('brand_new_code', 'the server says why')).toBe('The server says why');
    expect(refusalText('brand_new_code')).toBe('The change was refused; nothing was saved.');
  });

  it('[SW14] a local throw is said by its code, never as the technical message', () => {
    const thrown = Object.assign(new Error('publishDraft: draftId: Invalid uuid'), {
      code: ErrorCode.validationFailed,
    });
    expect(localFailureText(thrown, 'fallback')).toBe('Something in this change is not valid.');
    expect(localFailureText(new Error('IDB quota'), 'The draft could not be kept on this device.')).toBe(
      'The draft could not be kept on this device.',
    );
  });
});
