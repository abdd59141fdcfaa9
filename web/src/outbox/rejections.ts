// What a person reads about a change the server refused (OB6, OB15 in ./SPEC.md): what the change was,
// in words, and why it was refused, picked by its typed code (never by the message). Pure, no IO.
import { ErrorCode } from '@hearth/schema/errors';
import type { RejectedEntry } from './store';

export interface RejectionText {
  /** "Create community": the mutation's name in words. */
  readonly change: string;
  /** Why, for a person: the server's own sentence where it names the detail, plain words otherwise. */
  readonly reason: string;
  /** What they can do about it. */
  readonly hint: string;
}

/** `createCommunity` -> "Create community". */
export function changeName(mutationName: string): string {
  const words = mutationName
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
  return words.length === 0 ? 'A change' : words[0]!.toUpperCase() + words.slice(1);
}

const HINTS: Partial<Record<string, string>> = {
  [ErrorCode.validationFailed]: 'Make the change again with the field corrected.',
  [ErrorCode.slugTaken]: 'Make the change again with another address.',
  [ErrorCode.forbidden]: 'Ask an admin of the community if you need this done.',
  [ErrorCode.unauthenticated]: 'Sign in again, then make the change again.',
  [ErrorCode.notFound]: 'It may have been removed in the meantime; nothing was changed.',
  [ErrorCode.conflict]: 'Someone changed the same thing first; check it and try again.',
  [ErrorCode.alreadyMember]: 'Nothing to do: you are in.',
  [ErrorCode.notMember]: 'Join the community first.',
  [ErrorCode.lastAdmin]: 'Make another member admin first.',
  [ErrorCode.payloadTooLarge]: 'Make it smaller and try again.',
  [ErrorCode.unknownMutation]: 'Reload Hearth to get the newest version, then try again.',
};

const FALLBACK_REASONS: Partial<Record<string, string>> = {
  [ErrorCode.validationFailed]: 'Something in this change was not valid.',
  [ErrorCode.slugTaken]: 'That address is already taken.',
  [ErrorCode.forbidden]: 'You are not allowed to do this.',
  [ErrorCode.unauthenticated]: 'The server did not know who you were when it got this change.',
  [ErrorCode.notFound]: 'What this change was about no longer exists.',
  [ErrorCode.conflict]: 'This clashed with a change already on the server.',
  [ErrorCode.alreadyMember]: 'You are already a member of this community.',
  [ErrorCode.notMember]: 'You are not a member of this community.',
  [ErrorCode.lastAdmin]: 'A community needs at least one admin.',
  [ErrorCode.payloadTooLarge]: 'This change is too large to send.',
  [ErrorCode.unknownMutation]: 'The server does not know this kind of change.',
};

/** [OB15] The words for one rejected change. */
export function rejectionText(entry: Pick<RejectedEntry, 'name' | 'code' | 'message'>): RejectionText {
  const server = entry.message.trim();
  const reason =
    server.length > 0 ? server : (FALLBACK_REASONS[entry.code] ?? 'The server refused this change.');
  const hint = HINTS[entry.code] ?? 'Nothing was changed on the server; you can make the change again.';
  return { change: changeName(entry.name), reason, hint };
}
