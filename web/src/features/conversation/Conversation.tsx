// The conversation under a story or an event (SPEC.md CV1..CV5): reactions, announcements apart,
// threaded comments with reply / edit / delete of one's own. Reads the replica, writes through the outbox.
//   <Conversation subject={{ storyId }} />   <Conversation subject={{ eventId }} />
import { newId } from '@hearth/schema/ids';
import { useState, type FormEvent } from 'react';
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
  type CommentItem,
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
  const { account } = useAuthState();
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
      {viewerId === null ? (
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
  const mine = viewerId !== null && comment.author_id === viewerId;
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
        <EditForm comment={comment} onDone={() => setMode('read')} />
      ) : (
        <p className="comment-body">{comment.body}</p>
      )}
      {viewerId !== null && mode !== 'edit' && comment.status !== 'removed' && (
        <p className="comment-actions">
          <button
            type="button"
            className="link-button"
            onClick={() => setMode(mode === 'reply' ? 'read' : 'reply')}
          >
            Reply
          </button>
          {mine && (
            <>
              <button type="button" className="link-button" onClick={() => setMode('edit')}>
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
          onDone={() => setMode('read')}
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

function CommentForm({
  subject,
  parentId,
  label,
  submitLabel,
  onDone,
}: {
  subject: ConversationSubject;
  parentId: string | null;
  label: string;
  submitLabel: string;
  onDone?: () => void;
}) {
  const mutate = useMutate();
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const fieldId = `comment-${parentId ?? 'new'}`;
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
    <form className="comment-form" onSubmit={(event) => void submit(event)}>
      <label htmlFor={fieldId}>{label}</label>
      <textarea
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
    <form className="comment-form" onSubmit={(event) => void submit(event)}>
      <label htmlFor={fieldId}>Edit your comment</label>
      <textarea
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

/** [CV5] One reaction per person: the emotion vocabulary, each with its count; mine is pressed. */
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
  const choose = (key: string) =>
    reactionIntent(current, key) === 'react'
      ? mutate('react', { subject, emotionKey: key })
      : mutate('unreact', { subject });
  return (
    <div className="reactions" role="group" aria-label="How this made you feel" data-testid="reactions">
      {counts.map((count) => (
        <button
          key={count.key}
          type="button"
          className="reaction"
          aria-pressed={count.mine}
          disabled={viewerId === null}
          data-key={count.key}
          data-count={count.count}
          onClick={() => void choose(count.key)}
        >
          {count.label}
          {count.count > 0 && <span className="reaction-count"> {count.count}</span>}
        </button>
      ))}
    </div>
  );
}
