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
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
}
