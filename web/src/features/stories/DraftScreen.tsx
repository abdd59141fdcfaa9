// A draft (SPEC.md SW7..SW12): its details, its co-authors, the text written together (a lazy chunk),
// and publishing. Everything is read from the replica; the text lives in the draft's Yjs document.
import { lazy, Suspense, useCallback, useState } from 'react';
import { Link } from '../../app/router';
import { useAuthState } from '../../auth/react';
import { useView } from '../../db/views';
import { useMutate, usePendingCount } from '../../outbox/react';
import { CoAuthors, type AuthorItem } from './CoAuthors';
import type { CollabState } from './connection';
import { DraftDetails, type DraftRowItem } from './DraftDetails';
import { localFailureText } from './failures';
import { useRefusal } from './refused';
import type { VersionItem } from './editor/Versions';
import { colorFor } from './presence';
import { DRAFT_AUTHORS_SQL, DRAFT_SQL, STORY_VERSIONS_SQL } from './queries';
import './stories.css';

const DraftEditor = lazy(() => import('./editor/DraftEditor'));

export default function DraftScreen({ draftId }: { draftId: string }) {
  const { status, account } = useAuthState();
  const drafts = useView<DraftRowItem>(DRAFT_SQL, [draftId]);
  const authors = useView<AuthorItem>(DRAFT_AUTHORS_SQL, [draftId]) ?? [];
  if (status === 'loading' || drafts === undefined) return <p className="stories-loading">Opening…</p>;
  const draft = drafts[0];
  if (account === null || draft === undefined)
    return (
      <div className="stories card">
        <h1 tabIndex={-1}>This draft is not on this device</h1>
        <p>
          Drafts are shared only with their authors.{' '}
          {account === null ? <Link to="/signin">Sign in</Link> : <Link to="/drafts">Your drafts</Link>}
        </p>
      </div>
    );
  const me = authors.find((author) => author.user_id === account.userId);
  const name = account.displayName ?? me?.display_name ?? 'Me';
  return (
    <div className="draft" data-testid="draft" data-id={draft.id}>
      <div className="stories-head">
        <div>
          <p className="eyebrow">
            <Link to="/drafts">My drafts</Link>
          </p>
          <h1 tabIndex={-1}>{draft.title === '' ? 'Untitled draft' : draft.title}</h1>
        </div>
      </div>
      <Writing draft={draft} userId={account.userId} name={name} />
      <DraftDetails key={draft.id} draft={draft} userId={account.userId} />
      <CoAuthors draftId={draft.id} authors={authors} userId={account.userId} />
    </div>
  );
}

/** The editor chunk, the publish button and what it needs, side by side. */
function Writing({ draft, userId, name }: { draft: DraftRowItem; userId: string; name: string }) {
  const versions = useView<VersionItem>(STORY_VERSIONS_SQL, [draft.id]) ?? [];
  const [collab, setCollab] = useState<CollabState>({ kind: 'connecting' });
  const onState = useCallback((state: CollabState) => setCollab(state), []);
  const pending = usePendingCount();
  const user = { id: userId, name, color: colorFor(userId) };
  return (
    <>
      <Publish draft={draft} collab={collab} />
      <Suspense fallback={<p className="editor-loading">Loading the editor…</p>}>
        <DraftEditor draftId={draft.id} user={user} versions={versions} onState={onState} pending={pending} />
      </Suspense>
    </>
  );
}

/** [SW12] Publishing asks the server to render the document it holds: only while the text is live. */
function Publish({ draft, collab }: { draft: DraftRowItem; collab: CollabState }) {
  const mutate = useMutate();
  const [sentId, setSentId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refused = useRefusal(sentId);
  const blocker =
    draft.title.trim() === ''
      ? 'Give the story a title first (in the details below).'
      : collab.kind !== 'live'
        ? 'Publishing uses the text on the server: wait until the editor says it is live.'
        : null;
  const publish = async () => {
    setError(null);
    setSentId(null);
    try {
      const { id } = await mutate('publishDraft', { draftId: draft.id });
      setSentId(id);
    } catch (failure) {
      setError(localFailureText(failure, 'Publishing could not be started on this device; try again.'));
    }
  };
  return (
    <section className="publish card" aria-labelledby="publish-title">
      <h2 id="publish-title">Publish</h2>
      {draft.story_id !== null && (
        <p data-testid="published">
          Published: <Link to={`/stories/${draft.story_id}`}>read the story</Link>. Publishing again makes a
          new version.
        </p>
      )}
      <button
        type="button"
        className="button button-primary"
        disabled={blocker !== null}
        aria-describedby="publish-hint"
        onClick={() => void publish()}
      >
        {draft.story_id === null ? 'Publish' : 'Publish a new version'}
      </button>
      <p id="publish-hint" className="field-hint">
        {blocker ??
          (sentId !== null && refused === null && draft.story_id === null
            ? 'Sent: the story appears here once the server has published it.'
            : 'The text as every author sees it now becomes the story.')}
      </p>
      {(error ?? refused) !== null && (
        <p className="field-error" role="alert" data-testid="publish-refused">
          {error ?? refused}
        </p>
      )}
    </section>
  );
}
