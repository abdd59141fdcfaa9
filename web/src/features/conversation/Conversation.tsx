// The conversation under a story or an event (SPEC.md CV1..CV8): reactions (the chosen ones, and a
// picker for the rest), announcements apart, threaded comments with reply / edit / delete of one's own;
// a reply or edit box takes the focus and gives it back. Reads the replica, writes through the outbox.
//   <Conversation subject={{ storyId }} />   <Conversation subject={{ eventId }} />
import { newId } from '@hearth/schema/ids';
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent, type RefObject } from 'react';
import { useDisclosure } from '../../app/disclosure';
import { Link } from '../../app/router';
import { useAuthState } from '../../auth/react';
import { useView } from '../../db/views';
import { useMutate } from '../../outbox/react';
import { EMOTIONS_SQL, labelLocale } from '../stories/browse';
import {
  checkBody,
  COMMENT_MAX,
  conversationOf,
  reactionCounts,
  reactionIntent,
  pickerMove,
  shownReactions,
  type CommentItem,
  type ReactionCount,
  type ThreadNode,
} from './thread';
import './conversation.css';

export type ConversationSubject = { readonly storyId: string } | { readonly eventId: string };

/** The subject's column: one of two fixed names, chosen by the subject's shape, never by input. */
function subjectOf(subject: ConversationSubject): { column: 'story_id' | 'event_id'; id: string } {
  return 'storyId' in subject
    ? { column: 'story_id', id: subject.storyId }
    : { column: 'event_id', id: subject.eventId };
}

const commentsSql = (column: string) => `
  select c.id, c.parent_id, c.author_id, u.display_name as author_name, c.kind, c.body, c.status,
         (extract(epoch from c.created_at) * 1000)::float8 as created_ms,
         (extract(epoch from c.edited_at) * 1000)::float8 as edited_ms
    from comments c
    left join users u on u.id = c.author_id
   where c.${column}::text = $1`;

const reactionsSql = (column: string) => `
  select r.emotion_key as key, r.user_id from reactions r where r.${column}::text = $1 and r.emotion_key is not null`;

export function Conversation({ subject }: { subject: ConversationSubject }) {
  const { column, id } = subjectOf(subject);
  const { status, account } = useAuthState();
  const rows = useView<CommentItem & Record<string, unknown>>(commentsSql(column), [id]);
  const view = conversationOf(rows ?? []);
  const viewerId = account?.userId ?? null;
  return (
    <section className="conversation" aria-labelledby="conversation-title" data-testid="conversation">
      <Reactions subject={subject} column={column} id={id} viewerId={viewerId} />
      {view.announcements.length > 0 && (
        <section className="announcements" aria-label="Announcements">
          {view.announcements.map((item) => (
            <article key={item.id} className="announcement" data-testid="announcement">
              <p className="announcement-label">Announcement · {item.author_name ?? 'A host'}</p>
              <p className="comment-body">{item.body}</p>
            </article>
          ))}
        </section>
      )}
      <h2 id="conversation-title">
        {view.count === 0 ? 'Comments' : view.count === 1 ? '1 comment' : `${view.count} comments`}
      </h2>
      {rows === undefined ? (
        <p className="comment-hint">Reading this device…</p>
      ) : view.threads.length === 0 ? (
        <p className="comment-hint">No comments yet.</p>
      ) : (
        <ol className="thread" data-testid="comments">
          {view.threads.map((node) => (
            <Comment key={node.comment.id} node={node} subject={subject} viewerId={viewerId} depth={0} />
          ))}
        </ol>
      )}
      {status === 'loading' ? null : viewerId === null ? (
        <p className="comment-hint">
          <Link to="/signin">Sign in</Link> to join the conversation.
        </p>
      ) : (
        <CommentForm subject={subject} parentId={null} label="Add a comment" submitLabel="Post comment" />
      )}
    </section>
  );
}

function Comment({
  node,
  subject,
  viewerId,
  depth,
}: {
  node: ThreadNode;
  subject: ConversationSubject;
  viewerId: string | null;
  depth: number;
}) {
  const { comment } = node;
  const mutate = useMutate();
  const [mode, setMode] = useState<'read' | 'reply' | 'edit' | 'confirm-delete'>('read');
  // [CV6] A reply kept while its box is closed, so Escape or Cancel never loses what was typed.
  const [replyDraft, setReplyDraft] = useState('');
  const replyButton = useRef<HTMLButtonElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const returnFocus = useFocusReturn();
  const mine = viewerId !== null && comment.author_id === viewerId;
  const closeReply = () => {
    setMode('read');
    returnFocus(replyButton);
  };
  const closeEdit = () => {
    setMode('read');
    returnFocus(editButton);
  };
  return (
    <li className="comment" data-testid="comment" data-id={comment.id} data-status={comment.status}>
      <p className="comment-meta">
        <strong>{comment.author_name ?? 'Someone'}</strong> ·{' '}
        <time dateTime={new Date(comment.created_ms).toISOString()}>
          {new Date(comment.created_ms).toLocaleString()}
        </time>
        {comment.edited_ms !== null && ' · edited'}
        {comment.status === 'hidden' && ' · hidden by moderators'}
      </p>
      {comment.status === 'removed' ? (
        <p className="comment-hint">This comment was deleted.</p>
      ) : mode === 'edit' ? (
        <EditForm comment={comment} onDone={closeEdit} />
      ) : (
        <p className="comment-body">{comment.body}</p>
      )}
      {viewerId !== null && mode !== 'edit' && comment.status !== 'removed' && (
        <p className="comment-actions">
          <button
            ref={replyButton}
            type="button"
            className="link-button"
            aria-expanded={mode === 'reply'}
            onClick={() => setMode(mode === 'reply' ? 'read' : 'reply')}
          >
            Reply
          </button>
          {mine && (
            <>
              <button ref={editButton} type="button" className="link-button" onClick={() => setMode('edit')}>
                Edit
              </button>
              {mode === 'confirm-delete' ? (
                <span role="group" aria-label="Delete this comment?">
                  Delete it?{' '}
                  <button
                    type="button"
                    className="link-button danger"
                    onClick={() => void mutate('deleteComment', { commentId: comment.id })}
                  >
                    Delete
                  </button>
                  <button type="button" className="link-button" onClick={() => setMode('read')}>
                    Keep
                  </button>
                </span>
              ) : (
                <button type="button" className="link-button" onClick={() => setMode('confirm-delete')}>
                  Delete
                </button>
              )}
            </>
          )}
        </p>
      )}
      {mode === 'reply' && (
        <CommentForm
          subject={subject}
          parentId={comment.id}
          label={`Reply to ${comment.author_name ?? 'this comment'}`}
          submitLabel="Post reply"
          body={replyDraft}
          onBody={setReplyDraft}
          onDone={closeReply}
        />
      )}
      {node.replies.length > 0 && (
        <ol className={depth < 4 ? 'thread thread-nested' : 'thread'}>
          {node.replies.map((reply) => (
            <Comment
              key={reply.comment.id}
              node={reply}
              subject={subject}
              viewerId={viewerId}
              depth={depth + 1}
            />
          ))}
        </ol>
      )}
    </li>
  );
}

/**
 * [CV6] After a render, focus goes back to the button that opened a box (it may only now be back in
 * the page, as Edit is while editing).
 */
function useFocusReturn(): (to: RefObject<HTMLElement | null>) => void {
  const [target, setTarget] = useState<RefObject<HTMLElement | null> | null>(null);
  useEffect(() => {
    if (target === null) return;
    target.current?.focus();
    setTarget(null);
  }, [target]);
  return setTarget;
}

/** [CV6] Escape in a reply or edit box closes it, as Cancel does. */
function escapeCloses(onDone: (() => void) | undefined) {
  return (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || onDone === undefined) return;
    event.preventDefault();
    event.stopPropagation();
    onDone();
  };
}

function CommentForm({
  subject,
  parentId,
  label,
  submitLabel,
  body: keptBody,
  onBody,
  onDone,
}: {
  subject: ConversationSubject;
  parentId: string | null;
  label: string;
  submitLabel: string;
  /** A reply's text kept by its comment while the box is closed; the new-comment form keeps its own. */
  body?: string;
  onBody?: (body: string) => void;
  /** Set for a reply box: it takes the focus when it opens, and Cancel or Escape close it. */
  onDone?: () => void;
}) {
  const mutate = useMutate();
  const [ownBody, setOwnBody] = useState('');
  const body = keptBody ?? ownBody;
  const setBody = onBody ?? setOwnBody;
  const [error, setError] = useState<string | null>(null);
  const fieldId = `comment-${parentId ?? 'new'}`;
  const field = useRef<HTMLTextAreaElement>(null);
  const opened = onDone !== undefined;
  useEffect(() => {
    if (opened) field.current?.focus();
  }, [opened]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const checked = checkBody(body);
    if (!checked.ok) {
      setError(checked.message);
      return;
    }
    setError(null);
    try {
      await mutate('postComment', {
        commentId: newId(),
        subject,
        ...(parentId !== null ? { parentId } : {}),
        body: checked.body,
      });
      setBody('');
      onDone?.();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : 'The comment could not be saved.');
    }
  };
  return (
    <form className="comment-form" onSubmit={(event) => void submit(event)} onKeyDown={escapeCloses(onDone)}>
      <label htmlFor={fieldId}>{label}</label>
      <textarea
        ref={field}
        id={fieldId}
        value={body}
        rows={parentId === null ? 3 : 2}
        maxLength={COMMENT_MAX + 100}
        aria-invalid={error !== null}
        aria-describedby={error !== null ? `${fieldId}-error` : undefined}
        onChange={(event) => setBody(event.target.value)}
      />
      {error !== null && (
        <p id={`${fieldId}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
      <p className="comment-form-actions">
        <button type="submit" className="button button-primary button-small">
          {submitLabel}
        </button>
        {onDone !== undefined && (
          <button type="button" className="button button-secondary button-small" onClick={onDone}>
            Cancel
          </button>
        )}
      </p>
    </form>
  );
}

function EditForm({ comment, onDone }: { comment: CommentItem; onDone: () => void }) {
  const mutate = useMutate();
  const [body, setBody] = useState(comment.body);
  const [error, setError] = useState<string | null>(null);
  const fieldId = `edit-${comment.id}`;
  const field = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const box = field.current;
    if (box === null) return;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }, []);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const checked = checkBody(body);
    if (!checked.ok) {
      setError(checked.message);
      return;
    }
    try {
      await mutate('editComment', { commentId: comment.id, body: checked.body });
      onDone();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : 'The comment could not be saved.');
    }
  };
  return (
    <form className="comment-form" onSubmit={(event) => void submit(event)} onKeyDown={escapeCloses(onDone)}>
      <label htmlFor={fieldId}>Edit your comment</label>
      <textarea
        ref={field}
        id={fieldId}
        value={body}
        rows={3}
        aria-invalid={error !== null}
        aria-describedby={error !== null ? `${fieldId}-error` : undefined}
        onChange={(event) => setBody(event.target.value)}
      />
      {error !== null && (
        <p id={`${fieldId}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
      <p className="comment-form-actions">
        <button type="submit" className="button button-primary button-small">
          Save
        </button>
        <button type="button" className="button button-secondary button-small" onClick={onDone}>
          Cancel
        </button>
      </p>
    </form>
  );
}

/**
 * [CV5][CV7] One reaction per person. Shown: the reactions someone chose, each with its count (mine
 * pressed); one "React" button opens the picker of every emotion. The picker takes the focus, arrows
 * move in it, Escape or a choice closes it and gives the focus back to "React".
 */
function Reactions({
  subject,
  column,
  id,
  viewerId,
}: {
  subject: ConversationSubject;
  column: string;
  id: string;
  viewerId: string | null;
}) {
  const mutate = useMutate();
  const options =
    useView<{ key: string; label: string }>(EMOTIONS_SQL, [labelLocale(navigator.language)]) ?? [];
  const reactions = useView<{ key: string; user_id: string }>(reactionsSql(column), [id]) ?? [];
  const counts = reactionCounts(options, reactions, viewerId);
  const current = counts.find((count) => count.mine)?.key ?? null;
  const picker = useDisclosure<HTMLDivElement>();
  const { open, panelProps } = picker;
  const canReact = viewerId !== null;
  const choose = (key: string) =>
    reactionIntent(current, key) === 'react'
      ? mutate('react', { subject, emotionKey: key })
      : mutate('unreact', { subject });

  // The picker takes the focus as it opens: on my reaction, else on the first.
  useEffect(() => {
    if (!open) return;
    const panel = panelProps.ref.current;
    const pressed = panel?.querySelector<HTMLButtonElement>('button[aria-pressed="true"]');
    (pressed ?? panel?.querySelector<HTMLButtonElement>('button'))?.focus();
  }, [open, panelProps.ref]);

  const onPickerKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const buttons = [...event.currentTarget.querySelectorAll<HTMLButtonElement>('button')];
    const next = pickerMove(
      event.key,
      buttons.indexOf(document.activeElement as HTMLButtonElement),
      buttons.length,
    );
    if (next === null) return;
    event.preventDefault();
    buttons[next]?.focus();
  };

  return (
    <div className="reactions" role="group" aria-label="How this made you feel" data-testid="reactions">
      {shownReactions(counts).map((count) => (
        <ReactionButton
          key={count.key}
          count={count}
          disabled={!canReact}
          onChoose={() => void choose(count.key)}
        />
      ))}
      {canReact && (
        <>
          <button
            {...picker.buttonProps}
            type="button"
            className="reaction reaction-add"
            data-testid="react-toggle"
          >
            <span aria-hidden="true">+ </span>React
          </button>
          <div
            {...panelProps}
            className="reaction-picker"
            role="group"
            aria-label="Choose how this made you feel"
            onKeyDown={onPickerKey}
            data-testid="reaction-picker"
          >
            {counts.map((count) => (
              <ReactionButton
                key={count.key}
                count={count}
                onChoose={() => {
                  void choose(count.key);
                  picker.close();
                }}
              />
            ))}
          </div>
        </>
      )}
    </div>
  );
}

/** One emotion: its label, its count when someone chose it, pressed when it is mine. */
function ReactionButton({
  count,
  disabled = false,
  onChoose,
}: {
  count: ReactionCount;
  disabled?: boolean;
  onChoose: () => void;
}) {
  return (
    <button
      type="button"
      className="reaction"
      aria-pressed={count.mine}
      disabled={disabled}
      data-key={count.key}
      data-count={count.count}
      onClick={onChoose}
    >
      {count.label}
      {count.count > 0 && <span className="reaction-count"> {count.count}</span>}
    </button>
  );
}
