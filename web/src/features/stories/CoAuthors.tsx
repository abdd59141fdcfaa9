// Who writes the draft (SPEC.md SW8): the owner invites people found by name in the replica and removes
// co-authors; a co-author can leave. A removed co-author's editor is closed by the server (SW11).
import { useState } from 'react';
import { navigate } from '../../app/router';
import { useView } from '../../db/views';
import { useMutate } from '../../outbox/react';
import { INVITE_CANDIDATES_SQL } from './queries';

export interface AuthorItem extends Record<string, unknown> {
  user_id: string;
  role: 'owner' | 'coauthor';
  display_name: string;
}

export function CoAuthors({
  draftId,
  authors,
  userId,
}: {
  draftId: string;
  authors: readonly AuthorItem[];
  userId: string;
}) {
  const mutate = useMutate();
  const [error, setError] = useState<string | null>(null);
  const isOwner = authors.some((author) => author.user_id === userId && author.role === 'owner');
  const run = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : 'That change could not be made.');
    }
  };
  return (
    <section className="coauthors card" aria-labelledby="coauthors-title" data-testid="coauthors">
      <h2 id="coauthors-title">Authors</h2>
      <ul className="coauthor-list">
        {authors.map((author) => (
          <li key={author.user_id} data-testid="author" data-user-id={author.user_id}>
            <span>
              {author.display_name}
              {author.user_id === userId && ' (you)'} · {author.role === 'owner' ? 'owner' : 'co-author'}
            </span>
            {author.role === 'coauthor' && (isOwner || author.user_id === userId) && (
              <button
                type="button"
                className="button button-secondary button-small"
                onClick={() =>
                  void run(async () => {
                    await mutate('removeCoAuthor', { draftId, userId: author.user_id });
                    if (author.user_id === userId) navigate('/drafts');
                  })
                }
              >
                {author.user_id === userId ? 'Leave this draft' : `Remove ${author.display_name}`}
              </button>
            )}
          </li>
        ))}
      </ul>
      {isOwner && (
        <Invite
          draftId={draftId}
          onInvite={(id) => run(() => mutate('inviteCoAuthor', { draftId, userId: id }))}
        />
      )}
      {error !== null && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function Invite({ draftId, onInvite }: { draftId: string; onInvite: (userId: string) => Promise<void> }) {
  const [name, setName] = useState('');
  const candidates =
    useView<{ id: string; display_name: string }>(INVITE_CANDIDATES_SQL, [name.trim(), draftId]) ?? [];
  return (
    <div className="invite">
      <div className="field">
        <label htmlFor="invite-name">Invite a co-author</label>
        <input
          id="invite-name"
          type="search"
          value={name}
          autoComplete="off"
          placeholder="Their name"
          onChange={(event) => setName(event.target.value)}
        />
      </div>
      {name.trim() !== '' && (
        <ul className="invite-candidates" aria-label="People found">
          {candidates.length === 0 && <li className="field-hint">No one by that name on this device.</li>}
          {candidates.map((person) => (
            <li key={person.id}>
              <button
                type="button"
                className="button button-secondary button-small"
                onClick={() => void onInvite(person.id).then(() => setName(''))}
              >
                Invite {person.display_name}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
