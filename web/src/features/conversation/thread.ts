// A conversation's shape (SPEC.md CV1..CV4): comment rows from the replica -> announcements and a tree
// of replies, and the checks a comment passes before it is sent. Pure.

export interface CommentItem {
  readonly id: string;
  readonly parent_id: string | null;
  readonly author_id: string;
  readonly author_name: string | null;
  readonly kind: 'comment' | 'announcement';
  readonly body: string;
  readonly status: 'visible' | 'hidden' | 'removed';
  readonly created_ms: number;
  readonly edited_ms: number | null;
}

export interface ThreadNode {
  readonly comment: CommentItem;
  readonly replies: readonly ThreadNode[];
}

export interface Conversation {
  /** Hosts' announcements, newest first, shown apart from the talk. */
  readonly announcements: readonly CommentItem[];
  /** Top-level comments, oldest first, each with its replies (oldest first) below it. */
  readonly threads: readonly ThreadNode[];
  /** Comments shown, replies included (not announcements). */
  readonly count: number;
}

const byTime = (a: CommentItem, b: CommentItem) => a.created_ms - b.created_ms || a.id.localeCompare(b.id);

/**
 * [CV1][CV3] Announcements apart (newest first); comments as threads (oldest first). A reply whose
 * parent this device does not hold (not synced yet, or removed) is shown at the top level rather
 * than lost. Removed comments are left out unless replies hang from them (then they stay as a
 * placeholder); a cycle cannot hang it (each row is placed once).
 */
export function conversationOf(rows: readonly CommentItem[]): Conversation {
  // A removed comment with replies stays as a placeholder, so its thread keeps its shape.
  const parents = new Set(rows.filter((row) => row.status !== 'removed').map((row) => row.parent_id));
  const shown = rows.filter((row) => row.status !== 'removed' || parents.has(row.id));
  const announcements = shown.filter((row) => row.kind === 'announcement').sort((a, b) => byTime(b, a));
  const comments = shown.filter((row) => row.kind !== 'announcement').sort(byTime);
  const ids = new Set(comments.map((row) => row.id));
  const children = new Map<string, CommentItem[]>();
  const roots: CommentItem[] = [];
  for (const row of comments) {
    if (row.parent_id !== null && row.parent_id !== row.id && ids.has(row.parent_id)) {
      const list = children.get(row.parent_id) ?? [];
      list.push(row);
      children.set(row.parent_id, list);
    } else roots.push(row);
  }
  const placed = new Set<string>();
  const build = (row: CommentItem): ThreadNode => {
    placed.add(row.id);
    const replies = (children.get(row.id) ?? []).filter((child) => !placed.has(child.id)).map(build);
    return { comment: row, replies };
  };
  const threads = roots.map(build);
  // Rows only reachable through a cycle (a -> b -> a) have no root: show them at the top level.
  for (const row of comments) if (!placed.has(row.id)) threads.push(build(row));
  return { announcements, threads, count: comments.filter((row) => row.status !== 'removed').length };
}

export const COMMENT_MAX = 5000;

export type BodyCheck =
  { readonly ok: true; readonly body: string } | { readonly ok: false; readonly message: string };

/** [CV2] A comment body as it will be sent: trimmed, 1..5000 characters, or why not. */
export function checkBody(input: string): BodyCheck {
  const body = input.trim();
  if (body === '') return { ok: false, message: 'Write something before sending.' };
  if ([...body].length > COMMENT_MAX)
    return {
      ok: false,
      message: `A comment can be at most ${COMMENT_MAX} characters; this one has ${[...body].length}.`,
    };
  return { ok: true, body };
}

export interface ReactionCount {
  readonly key: string;
  readonly label: string;
  readonly count: number;
  readonly mine: boolean;
}

/**
 * [CV5] Reactions grouped for display: every option in its order with how many chose it and whether
 * the viewer did; options nobody chose stay (count 0), so the buttons stay put.
 */
export function reactionCounts(
  options: readonly { key: string; label: string }[],
  reactions: readonly { key: string; user_id: string }[],
  viewerId: string | null,
): ReactionCount[] {
  return options.map((option) => {
    const chosen = reactions.filter((reaction) => reaction.key === option.key);
    return {
      key: option.key,
      label: option.label,
      count: chosen.length,
      mine: viewerId !== null && chosen.some((reaction) => reaction.user_id === viewerId),
    };
  });
}

/**
 * [CV7] The reactions shown under the subject: those someone chose (and mine), in the vocabulary's
 * order; the rest wait in the picker, so a phone does not show a wall of empty buttons.
 */
export function shownReactions(counts: readonly ReactionCount[]): ReactionCount[] {
  return counts.filter((count) => count.count > 0 || count.mine);
}

/** [CV5] What a click on a reaction does: react with it, or take it back when it is already mine. */
export function reactionIntent(current: string | null, clicked: string): 'react' | 'unreact' {
  return current === clicked ? 'unreact' : 'react';
}

/** [CV7] Where an arrow key, Home or End moves the focus among the picker's `length` options (wrapping). */
export function pickerMove(key: string, at: number, length: number): number | null {
  if (length === 0) return null;
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
      return (at + 1) % length;
    case 'ArrowLeft':
    case 'ArrowUp':
      return (at - 1 + length) % length;
    case 'Home':
      return 0;
    case 'End':
      return length - 1;
    default:
      return null;
  }
}
