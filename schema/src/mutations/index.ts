// The registry of mutations: name -> definition. The server's write path and the client's outbox
// look names up here, so a mutation that is not registered cannot be sent or applied.
import type { z } from 'zod';
import { blockUser, unblockUser, updateProfile } from './account';
import {
  changeRole,
  createCommunity,
  decideMembership,
  followCommunity,
  joinCommunity,
  leaveCommunity,
  removeMember,
  unfollowCommunity,
  updateCommunity,
} from './community';
import { deleteComment, editComment, postComment, react, unreact } from './conversation';
import { checkIn } from './check-ins';
import { recordDoorPayment } from './door-payments';
import type { AnyMutation } from './define';
import { addEventHost, cancelEvent, createEvent, removeEventHost, updateEvent } from './events';
import { decideRsvp, setRsvp } from './rsvps';
import { cancelTicket, claimTicket, createTicketTier, updateTicketTier } from './tickets';
import { archiveDraft, createDraft, inviteCoAuthor, removeCoAuthor, updateDraft } from './drafts';
import { publishDraft, setStoryVisibility, unpublishStory } from './stories';

export const mutations = {
  updateProfile,
  blockUser,
  unblockUser,
  createCommunity,
  updateCommunity,
  joinCommunity,
  leaveCommunity,
  decideMembership,
  removeMember,
  changeRole,
  followCommunity,
  unfollowCommunity,
  createEvent,
  updateEvent,
  cancelEvent,
  addEventHost,
  removeEventHost,
  setRsvp,
  decideRsvp,
  createTicketTier,
  updateTicketTier,
  claimTicket,
  cancelTicket,
  checkIn,
  recordDoorPayment,
  createDraft,
  updateDraft,
  inviteCoAuthor,
  removeCoAuthor,
  archiveDraft,
  publishDraft,
  setStoryVisibility,
  unpublishStory,
  postComment,
  editComment,
  deleteComment,
  react,
  unreact,
} as const;

export type MutationName = keyof typeof mutations;
/** What a caller passes (before defaults and canonical spellings are applied). */
export type MutationArgs<N extends MutationName> = z.input<(typeof mutations)[N]['args']>;

const byName: ReadonlyMap<string, AnyMutation> = new Map<string, AnyMutation>(
  Object.values(mutations).map((mutation) => [mutation.name, mutation]),
);

/** A lookup that never reaches Object.prototype ("constructor", "__proto__" are unknown names). */
export function mutationNamed(name: string): AnyMutation | undefined {
  return byName.get(name);
}

export const mutationNames: readonly string[] = [...byName.keys()];

export {
  MutationRejected,
  reject,
  type AnyMutation,
  type LocalReader,
  type MutationContext,
  type RowChange,
  type Tx,
} from './define';
export type { ReplicaRow, SiteRole } from './define';
export { MemoryReplica, type ReplicaRows } from './replica';
export * from './wire';
