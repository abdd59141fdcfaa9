// Typed failures of replication set-up and streaming. `reason` is the precise, closed set the engine
// switches on; `code` (schema's ErrorCode) is the coarse public part.
import { ErrorCode } from '@hearth/schema/errors';

export const REPLICATION_REASONS = {
  /** A publication or slot name Postgres would not accept. */
  invalidName: 'invalid_name',
  walLevelNotLogical: 'wal_level_not_logical',
  /** A table to publish does not exist. */
  tableMissing: 'table_missing',
  /** Slot names are cluster-wide: the slot exists, but for another database. */
  slotInOtherDatabase: 'slot_in_other_database',
  /** The slot exists but is not a logical pgoutput slot. */
  slotWrongPlugin: 'slot_wrong_plugin',
  slotMissing: 'slot_missing',
  /** The slot exists but Postgres invalidated it (WAL removed, conflict, idle timeout). */
  slotInvalidated: 'slot_invalidated',
  connectionLost: 'connection_lost',
  /** Bytes on the stream that do not follow the protocol. */
  protocol: 'protocol',
  /** The consumer's handler threw: the stream restarts from the last acknowledgement. */
  handlerFailed: 'handler_failed',
} as const;
export type ReplicationReason = (typeof REPLICATION_REASONS)[keyof typeof REPLICATION_REASONS];

const CODES: Record<ReplicationReason, ErrorCode> = {
  invalid_name: ErrorCode.invalidConfig,
  wal_level_not_logical: ErrorCode.walLevelNotLogical,
  table_missing: ErrorCode.invalidConfig,
  slot_in_other_database: ErrorCode.invalidConfig,
  slot_wrong_plugin: ErrorCode.invalidConfig,
  slot_missing: ErrorCode.unavailable,
  slot_invalidated: ErrorCode.unavailable,
  connection_lost: ErrorCode.databaseUnreachable,
  protocol: ErrorCode.internal,
  handler_failed: ErrorCode.internal,
};

export class ReplicationError extends Error {
  readonly code: ErrorCode;
  constructor(
    readonly reason: ReplicationReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ReplicationError';
    this.code = CODES[reason];
  }
}

/** Slot loss (missing or invalidated): every shape must rotate, the slot is made again. */
export function isSlotLoss(error: unknown): error is ReplicationError {
  return (
    error instanceof ReplicationError &&
    (error.reason === REPLICATION_REASONS.slotMissing || error.reason === REPLICATION_REASONS.slotInvalidated)
  );
}
