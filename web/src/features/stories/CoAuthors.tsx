// Who writes the draft (SPEC.md SW8): the owner invites people found by name in the replica and removes
// co-authors; a co-author can leave. A removed co-author's editor is closed by the server (SW11).
import { useRef, useState } from 'react';
import { navigate } from '../../app/router';
import { useView } from '../../db/views';
import { useMutate } from '../../outbox/react';
import { localFailureText } from './failures';
import { INVITE_CANDIDATES_SQL } from './queries';
import { useRefusal } from './refused';

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
  const [sentId, setSentId] = useState<string | null>(null);
  const refused = useRefusal(sentId);
  const [done, setDone] = useState<string | null>(null);
  const isOwner = authors.some((author) => author.user_id === userId && author.role === 'owner');
  const run = async (action: () => Promise<{ id: string }>, said: string) => {
    setError(null);
    setDone(null);
    try {
      setSentId((await action()).id);
      setDone(said);
    } catch (failure) {
      setError(localFailureText(failure, 'That change could not be made on this device; try again.'));
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
                    const sent = await mutate('removeCoAuthor', { draftId, userId: author.user_id });
                    if (author.user_id === userId) navigate('/drafts');
                    return sent;
                  }, `${author.display_name} is no longer an author.`)
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
          onInvite={(person) =>
            run(
              () => mutate('inviteCoAuthor', { draftId, userId: person.id }),
              `${person.display_name} is invited: the draft appears in their drafts.`,
            )
          }
        />
      )}
      {(error ?? refused) !== null ? (
        <p className="field-error" role="alert" data-testid="coauthors-refused">
          {error ?? refused}
        </p>
      ) : (
        <p className="field-hint" role="status">
          {done}
        </p>
      )}
    </section>
  );
}

interface Person {
  id: string;
  display_name: string;
}

function Invite({ draftId, onInvite }: { draftId: string; onInvite: (person: Person) => Promise<void> }) {
  const [name, setName] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const candidates =
    useView<Person & Record<string, unknown>>(INVITE_CANDIDATES_SQL, [name.trim(), draftId]) ?? [];
  return (
    <div className="invite">
      <div className="field">
        <label htmlFor="invite-name">Invite a co-author</label>
        <input
          id="invite-name"
          ref={input}
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
                onClick={() =>
                  void onInvite(person).then(() => {
                    // The button goes with the list: keep the keyboard where the next invitation starts.
                    setName('');
                    input.current?.focus();
                  })
                }
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
