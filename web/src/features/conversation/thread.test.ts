// A conversation's pure part (SPEC.md CV1..CV5).
import { describe, expect, it } from 'vitest';
import {
  checkBody,
  COMMENT_MAX,
  conversationOf,
  reactionCounts,
  pickerMove,
  reactionIntent,
  shownReactions,
  type CommentItem,
} from './thread';

function comment(id: string, at: number, patch: Partial<CommentItem> = {}): CommentItem {
  return {
    id,
    parent_id: null,
    author_id: 'u-1',
    author_name: 'Ana',
    kind: 'comment',
    body: id,
    status: 'visible',
    created_ms: at,
    edited_ms: null,
    ...patch,
  };
}

const ids = (nodes: readonly { comment: CommentItem; replies: readonly unknown[] }[]) =>
  nodes.map((node) => node.comment.id);

describe('[CV1] threads', () => {
  it('[CV1] replies sit under their parent, oldest first at every level', () => {
    const view = conversationOf([
      comment('b', 2),
      comment('a', 1),
      comment('a2', 5, { parent_id: 'a' }),
      comment('a1', 3, { parent_id: 'a' }),
      comment('a1x', 4, { parent_id: 'a1' }),
    ]);
    expect(ids(view.threads)).toEqual(['a', 'b']);
    expect(ids(view.threads[0]!.replies)).toEqual(['a1', 'a2']);
    expect(ids(view.threads[0]!.replies[0]!.replies)).toEqual(['a1x']);
    expect(view.count).toBe(5);
  });

  it('[CV1] a reply whose parent is not on this device is shown at the top level, not lost', () => {
    const view = conversationOf([comment('r', 2, { parent_id: 'missing' }), comment('a', 1)]);
    expect(ids(view.threads)).toEqual(['a', 'r']);
  });

  it('[CV1] a removed comment with replies stays as the placeholder of its thread', () => {
    const view = conversationOf([
      comment('p', 1, { status: 'removed' }),
      comment('r', 2, { parent_id: 'p' }),
    ]);
    expect(ids(view.threads)).toEqual(['p']);
    expect(ids(view.threads[0]!.replies)).toEqual(['r']);
    expect(view.count).toBe(1);
  });

  it('[CV1] removed comments are left out; a parent cycle still shows every comment once', () => {
    const view = conversationOf([
      comment('x', 1, { parent_id: 'y' }),
      comment('y', 2, { parent_id: 'x' }),
      comment('gone', 3, { status: 'removed' }),
    ]);
    expect(view.count).toBe(2);
    const all = view.threads.flatMap((node) => [node.comment.id, ...ids(node.replies)]);
    expect(all.sort()).toEqual(['x', 'y']);
  });
});

describe('[CV3] announcements', () => {
  it('[CV3] announcements are apart from the talk, newest first', () => {
    const view = conversationOf([
      comment('n1', 1, { kind: 'announcement' }),
      comment('c', 2),
      comment('n2', 3, { kind: 'announcement' }),
    ]);
    expect(view.announcements.map((row) => row.id)).toEqual(['n2', 'n1']);
    expect(ids(view.threads)).toEqual(['c']);
    expect(view.count).toBe(1);
  });
});

describe('[CV2] a comment body', () => {
  it('[CV2] is trimmed and must not be empty or longer than the limit', () => {
    expect(checkBody('  hello \n')).toEqual({ ok: true, body: 'hello' });
    expect(checkBody(' \n ')).toMatchObject({ ok: false, message: 'Write something before sending.' });
    const long = checkBody('x'.repeat(COMMENT_MAX + 1));
    expect(long.ok).toBe(false);
    expect(checkBody('😀'.repeat(COMMENT_MAX)).ok).toBe(true);
  });
});

describe('[CV5] reactions', () => {
  const options = [
    { key: 'joy', label: 'Joy' },
    { key: 'hope', label: 'Hope' },
  ];

  it('[CV5] every option keeps its place with its count and whether it is mine', () => {
    expect(
      reactionCounts(
        options,
        [
          { key: 'joy', user_id: 'me' },
          { key: 'joy', user_id: 'you' },
        ],
        'me',
      ),
    ).toEqual([
      { key: 'joy', label: 'Joy', count: 2, mine: true },
      { key: 'hope', label: 'Hope', count: 0, mine: false },
    ]);
  });

  it('[CV5] clicking my own reaction takes it back; any other replaces it', () => {
    expect(reactionIntent('joy', 'joy')).toBe('unreact');
    expect(reactionIntent('joy', 'hope')).toBe('react');
    expect(reactionIntent(null, 'hope')).toBe('react');
  });
});

describe('[CV7] reactions on a phone', () => {
  const options = [
    { key: 'joy', label: 'Joy' },
    { key: 'hope', label: 'Hope' },
    { key: 'grief', label: 'Grief' },
    { key: 'awe', label: 'Awe' },
  ];

  it('[CV7] only the reactions someone chose are shown, in the vocabulary order; the rest wait in the picker', () => {
    const counts = reactionCounts(
      options,
      [
        { key: 'awe', user_id: 'you' },
        { key: 'hope', user_id: 'them' },
        { key: 'awe', user_id: 'them' },
      ],
      'me',
    );
    expect(shownReactions(counts).map(({ key, count }) => [key, count])).toEqual([
      ['hope', 1],
      ['awe', 2],
    ]);
  });

  it('[CV7] nothing chosen shows no reaction buttons at all', () => {
    expect(shownReactions(reactionCounts(options, [], 'me'))).toEqual([]);
  });

  it('[CV7] arrows move through the picker and wrap; Home and End jump; other keys are left alone', () => {
    expect(pickerMove('ArrowRight', 0, 4)).toBe(1);
    expect(pickerMove('ArrowDown', 3, 4)).toBe(0);
    expect(pickerMove('ArrowLeft', 0, 4)).toBe(3);
    expect(pickerMove('ArrowUp', 2, 4)).toBe(1);
    expect(pickerMove('ArrowRight', -1, 4)).toBe(0);
    expect(pickerMove('Home', 2, 4)).toBe(0);
    expect(pickerMove('End', 0, 4)).toBe(3);
    expect(pickerMove('Enter', 1, 4)).toBeNull();
    expect(pickerMove('ArrowRight', 0, 0)).toBeNull();
  });
});
