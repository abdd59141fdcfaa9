// The collab rooms' limits and compaction triggers (SPEC.md CO6, CO9, CO14). Defaults here; the server's
// environment (COLLAB_* in ../config) overrides any of them.

export interface CollabConfig {
  /** CO6: a larger frame closes its socket with `message_too_large`. COLLAB_MAX_MESSAGE_BYTES. */
  readonly maxMessageBytes: number;
  /** CO9: compact a room after this long with no update. COLLAB_COMPACT_IDLE_MS. */
  readonly compactIdleMs: number;
  /** CO9: compact once this many updates were stored since the last compaction. COLLAB_COMPACT_AFTER_UPDATES. */
  readonly compactAfterUpdates: number;
  /** CO9: … or this many bytes of them. COLLAB_COMPACT_AFTER_BYTES. */
  readonly compactAfterBytes: number;
  /** CO8: wait this long before retrying a failed write of updates. */
  readonly retryMs: number;
  /** CO14: past this much buffered for a socket (unsent), presence is no longer sent to it. */
  readonly slowClientBytes: number;
  /** CO14: past this much buffered for a socket, it is closed with `too_slow`. */
  readonly tooSlowBytes: number;
}

export const DEFAULT_COLLAB_CONFIG: CollabConfig = {
  maxMessageBytes: 4 * 1024 * 1024,
  compactIdleMs: 10_000,
  compactAfterUpdates: 500,
  compactAfterBytes: 1024 * 1024,
  retryMs: 1000,
  slowClientBytes: 4 * 1024 * 1024,
  tooSlowBytes: 16 * 1024 * 1024,
};

/** The transport refuses frames beyond this while they arrive (close 1009), so none is ever buffered whole. */
export function transportLimit(config: CollabConfig): number {
  return config.maxMessageBytes * 4;
}

export function collabConfig(overrides: Partial<CollabConfig> = {}): CollabConfig {
  return { ...DEFAULT_COLLAB_CONFIG, ...overrides };
}
