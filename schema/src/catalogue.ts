// Every table of the database, in migration order, with its sync class. A table missing here fails
// the catalogue test, so a new table cannot ship without saying whether it may leave the server.
import type { Table } from './table';
import { identities, oidcLogins, sessions, users } from './tables/accounts';
import { blocks, communities, follows, memberships } from './tables/communities';
import {
  calendarFeedTokens,
  checkIns,
  eventHosts,
  events,
  payments,
  rsvps,
  signingKeys,
  ticketPasses,
  ticketTierCodes,
  ticketTiers,
  tickets,
} from './tables/gatherings';
import {
  draftAuthors,
  draftEmotions,
  draftSnapshots,
  draftTags,
  draftUpdates,
  drafts,
  emotionLabels,
  emotions,
  media,
  stories,
  storyAuthors,
  storyEmotions,
  storyMedia,
  storyTags,
  storyTranslations,
  storyVersions,
  tags,
} from './tables/stories';
import { comments, reactions } from './tables/conversation';
import { auditLog, consents, receipts, reports } from './tables/trust';

export const tables = {
  users,
  identities,
  sessions,
  communities,
  memberships,
  follows,
  blocks,
  events,
  eventHosts,
  rsvps,
  signingKeys,
  ticketTiers,
  ticketTierCodes,
  tickets,
  ticketPasses,
  payments,
  checkIns,
  emotions,
  emotionLabels,
  tags,
  media,
  drafts,
  draftAuthors,
  draftUpdates,
  draftSnapshots,
  stories,
  storyAuthors,
  storyVersions,
  storyEmotions,
  storyTags,
  storyMedia,
  storyTranslations,
  comments,
  reactions,
  consents,
  reports,
  receipts,
  auditLog,
  oidcLogins,
  draftEmotions,
  draftTags,
  calendarFeedTokens,
} as const satisfies Record<string, Table>;

export type TableKey = keyof typeof tables;
export type TableName = (typeof tables)[TableKey]['name'];

export const allTables: readonly Table[] = Object.values(tables);

/** Tables whose rows may reach a replica (through the gateway's shapes, never wholesale). */
export const syncedTables: readonly Table[] = allTables.filter((table) => table.sync === 'synced');

export function tableByName(name: string): Table | undefined {
  return allTables.find((table) => table.name === name);
}
