// Typed failures of the shape engine. `reason` is the closed set the HTTP layer switches on (503 with
// Retry-After for the passing ones); `code` is schema's coarse public code.
import { ErrorCode } from '@hearth/schema/errors';

export const ENGINE_REASONS = {
  /** The stream has not started yet (or the engine stopped). */
  starting: 'starting',
  /** Too many shapes are being created at once: admission control. */
  overloaded: 'overloaded',
  /** The snapshot query failed. */
  snapshotFailed: 'snapshot_failed',
  /** The shape kept being rotated while its snapshot ran. */
  rotatedWhileCreating: 'rotated_while_creating',
  /** The table changed between the request's validation and the snapshot. */
  schemaChanged: 'schema_changed',
  /** The table was dropped between the request and the snapshot. */
  tableGone: 'table_gone',
} as const;
export type EngineReason = (typeof ENGINE_REASONS)[keyof typeof ENGINE_REASONS];

export class ShapeEngineError extends Error {
  readonly code: ErrorCode = ErrorCode.unavailable;
  constructor(
    readonly reason: EngineReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ShapeEngineError';
  }
}
