// My drafts (SPEC.md SW6): the open drafts I write, alone or with others, and "New draft", which makes
// its id on this device and opens it at once (offline too: the draft syncs when the network is back).
import { newId } from '@hearth/schema/ids';
import { useState } from 'react';
import { Link, navigate } from '../../app/router';
import { useAuthState } from '../../auth/react';
import { useView } from '../../db/views';
import { useMutate } from '../../outbox/react';
import { localFailureText } from './failures';
import { MY_DRAFTS_SQL } from './queries';
import './stories.css';

interface DraftItem extends Record<string, unknown> {
  id: string;
  title: string;
  role: 'owner' | 'coauthor';
  story_id: string | null;
  updated_ms: number;
}

export default function DraftsScreen() {
  const { status, account } = useAuthState();
  if (status === 'loading') return <p className="stories-loading">Opening…</p>;
  if (account === null)
    return (
      <div className="stories card">
        <h1 tabIndex={-1}>My drafts</h1>
        <p>
          <Link to="/signin">Sign in</Link> to write stories, alone or with others.
        </p>
      </div>
    );
  return <Drafts userId={account.userId} />;
}

function Drafts({ userId }: { userId: string }) {
  const drafts = useView<DraftItem>(MY_DRAFTS_SQL, [userId]);
  const mutate = useMutate();
  const [error, setError] = useState<string | null>(null);
  const create = async () => {
    const draftId = newId();
    try {
      await mutate('createDraft', { draftId });
      navigate(`/drafts/${draftId}`);
    } catch (failure) {
      setError(localFailureText(failure, 'The draft could not be made on this device; try again.'));
    }
  };
  return (
    <div className="stories">
      <div className="stories-head">
        <h1 tabIndex={-1}>My drafts</h1>
        <button type="button" className="button button-primary" onClick={() => void create()}>
          New draft
        </button>
      </div>
      {error !== null && (
        <p className="notice" role="alert">
          {error}
        </p>
      )}
      {drafts === undefined ? (
        <p className="stories-empty">Reading this device…</p>
      ) : drafts.length === 0 ? (
        <p className="stories-empty">No drafts yet. Start one, and invite others to write it with you.</p>
      ) : (
        <ul className="story-list" data-testid="draft-list">
          {drafts.map((draft) => (
            <li key={draft.id} className="story-card card" data-testid="draft-item" data-id={draft.id}>
              <h3>
                <Link to={`/drafts/${draft.id}`}>{draft.title === '' ? 'Untitled draft' : draft.title}</Link>
              </h3>
              <p className="story-meta">
                {draft.role === 'owner' ? 'Yours' : 'Co-author'}
                {draft.story_id !== null && <> · Published</>} · changed{' '}
                <time dateTime={new Date(draft.updated_ms).toISOString()}>
                  {new Date(draft.updated_ms).toLocaleString()}
                </time>
              </p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
