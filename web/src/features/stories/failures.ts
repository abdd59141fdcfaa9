// What a person reads when a change to a draft is refused (SPEC.md SW14): on this device (the outbox
// checks the call before it writes) or later by the server (a rejected receipt). Picked by the typed
// code, never by the message; the server's own sentence is kept where it names the detail. Pure.
import { ErrorCode } from '@hearth/schema/errors';

const REASONS: Partial<Record<string, string>> = {
  [ErrorCode.unauthenticated]: 'You are signed out on this device. Sign in, then try again.',
  [ErrorCode.validationFailed]: 'Something in this change is not valid.',
  [ErrorCode.notDraftAuthor]: 'Only the authors of this draft can do this; ask its owner to invite you.',
  [ErrorCode.notDraftOwner]: 'Only the owner of this draft can do this.',
  [ErrorCode.draftArchived]: 'This draft is archived; it can no longer be changed or published.',
  [ErrorCode.draftIncomplete]: 'The draft is not ready to publish: it needs a title and some text.',
  [ErrorCode.unknownEmotion]: 'One of the emotions is not in the vocabulary; reload Hearth and choose again.',
  [ErrorCode.notMember]: 'You can only share a story with a community you are a member of.',
  [ErrorCode.notFound]: 'This draft or person is no longer there; nothing was changed.',
  [ErrorCode.conflict]: 'This clashed with a change already made; check the draft and try again.',
  [ErrorCode.forbidden]: 'You are not allowed to do this.',
};

/** Codes whose server sentence names the detail (which field, which emotion): shown as it is. */
const SERVER_SAYS_MORE = new Set<string>([
  ErrorCode.draftIncomplete,
  ErrorCode.unknownEmotion,
  ErrorCode.draftArchived,
  ErrorCode.conflict,
  ErrorCode.notMember,
]);

/** `title: give the draft a title` -> `Give the draft a title`: the field prefix is for programs. */
function sentence(message: string): string {
  const plain = message.trim().replace(/^[a-zA-Z.[\]0-9]+: /, '');
  return plain.length === 0 ? plain : plain[0]!.toUpperCase() + plain.slice(1);
}

/** [SW14] The words for a refusal with this code (and the server's message, when it says more). */
export function refusalText(code: string, message = ''): string {
  const server = sentence(message);
  if (SERVER_SAYS_MORE.has(code) && server !== '') return server;
  return REASONS[code] ?? (server !== '' ? server : 'The change was refused; nothing was saved.');
}

/** [SW14] The words for what `mutate` threw on this device (a typed OutboxError, or anything else). */
export function localFailureText(failure: unknown, fallback: string): string {
  if (typeof failure === 'object' && failure !== null && 'code' in failure) {
    const { code } = failure;
    if (typeof code === 'string' && REASONS[code] !== undefined) return REASONS[code];
  }
  return fallback;
}
