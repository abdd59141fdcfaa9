// Typed failures of the shape log store (SPEC.md SE39–SE47). `reason` is the closed set callers switch
// on (the HTTP layer turns `shape_not_found` into a 409 must-refetch); `code` is schema's coarse code.
import { ErrorCode } from '@hearth/schema/errors';

export const STORAGE_REASONS = {
  /** No shape with this handle: never created, deleted, evicted, or lost with its files. */
  shapeNotFound: 'shape_not_found',
  /** `create` with a handle that already exists: handles are never reused (SE5). */
  shapeExists: 'shape_exists',
  /** A handle that cannot name a folder: only letters, digits, `-` and `_`. */
  invalidHandle: 'invalid_handle',
  /** An entry that breaks the log's order or format (offsets, LSN, newline in the JSON). */
  invalidEntry: 'invalid_entry',
  /** Bytes on disk that no crash can explain (a torn tail is repaired, not reported). */
  corrupt: 'corrupt',
  /** The store was closed. */
  closed: 'closed',
} as const;
export type StorageReason = (typeof STORAGE_REASONS)[keyof typeof STORAGE_REASONS];

const CODES: Record<StorageReason, ErrorCode> = {
  shape_not_found: ErrorCode.notFound,
  shape_exists: ErrorCode.conflict,
  invalid_handle: ErrorCode.badRequest,
  invalid_entry: ErrorCode.internal,
  corrupt: ErrorCode.internal,
  closed: ErrorCode.unavailable,
};

export class ShapeStoreError extends Error {
  readonly code: ErrorCode;
  constructor(
    readonly reason: StorageReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ShapeStoreError';
    this.code = CODES[reason];
  }
}

export function isShapeNotFound(error: unknown): error is ShapeStoreError {
  return error instanceof ShapeStoreError && error.reason === STORAGE_REASONS.shapeNotFound;
}
