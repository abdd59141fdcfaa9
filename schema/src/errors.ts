// Typed error codes: clients switch on the code, never on the message (STYLE.md #5).
// Every HTTP error body is `{ code, message }` with a code from here.
export const ErrorCode = {
  // generic
  badRequest: 'bad_request',
  validationFailed: 'validation_failed',
  notFound: 'not_found',
  forbidden: 'forbidden',
  unauthenticated: 'unauthenticated',
  conflict: 'conflict',
  rateLimited: 'rate_limited',
  payloadTooLarge: 'payload_too_large',
  unavailable: 'unavailable',
  internal: 'internal_error',
  // start-up and configuration
  invalidConfig: 'invalid_config',
  databaseUnreachable: 'database_unreachable',
  walLevelNotLogical: 'wal_level_not_logical',
  postgresTooOld: 'postgres_too_old',
  alreadyRunning: 'already_running',
  portInUse: 'port_in_use',
  migrationsDiverged: 'migrations_diverged',
  migrationFailed: 'migration_failed',
  webNotBuilt: 'web_not_built',
  // accounts and sessions (sync-server/src/auth)
  invalidCredentials: 'invalid_credentials',
  weakPassword: 'weak_password',
  signupRefused: 'signup_refused',
  csrfOriginMismatch: 'csrf_origin_mismatch',
  oidcUnknownProvider: 'oidc_unknown_provider',
  oidcFailed: 'oidc_failed',
  oidcDenied: 'oidc_denied',
  // write path (POST /api/mutations) and the domain rejections of mutations (schema/src/mutations)
  unknownMutation: 'unknown_mutation',
  batchTooLarge: 'batch_too_large',
  mutationIdTaken: 'mutation_id_taken',
  alreadyMember: 'already_member',
  notMember: 'not_member',
  lastAdmin: 'last_admin',
  slugTaken: 'slug_taken',
  // gatherings (sync-server/src/gatherings/SPEC.md GA*)
  eventCancelled: 'event_cancelled',
  eventPast: 'event_past',
  eventFull: 'event_full',
  guestLimitExceeded: 'guest_limit_exceeded',
  salesClosed: 'sales_closed',
  tierSoldOut: 'tier_sold_out',
  tierLocked: 'tier_locked',
  alreadyHasTicket: 'already_has_ticket',
  ticketCancelled: 'ticket_cancelled',
  ticketCodeInvalid: 'ticket_code_invalid',
  ticketWrongEvent: 'ticket_wrong_event',
  alreadyCheckedIn: 'already_checked_in',
  ticketAlreadyPaid: 'ticket_already_paid',
  paymentAmountMismatch: 'payment_amount_mismatch',
  // stories, drafts and conversation (sync-server/src/stories/SPEC.md ST*, CV*)
  notDraftAuthor: 'not_draft_author',
  notDraftOwner: 'not_draft_owner',
  draftArchived: 'draft_archived',
  draftIncomplete: 'draft_incomplete',
  unknownEmotion: 'unknown_emotion',
  subjectNotVisible: 'subject_not_visible',
  replySubjectMismatch: 'reply_subject_mismatch',
  announcementNotHost: 'announcement_not_host',
  commentEmpty: 'comment_empty',
  commentTooLong: 'comment_too_long',
  notCommentAuthor: 'not_comment_author',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
}
