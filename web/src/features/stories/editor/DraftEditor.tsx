// The draft's text, written together (SPEC.md SW9..SW13): a lazy chunk holding TipTap, ProseMirror
// and Yjs. It opens the draft's session (device copy + collab room), shows the connection and who is
// here, and restores a published version into the shared document as an ordinary edit.
import { EditorContent, useEditor, type Editor } from '@tiptap/react';
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useAuth, useAuthState } from '../../../auth/react';
import { retryAfterSync, sessionEndedClose, stateLabel, type CollabState } from '../connection';
import { presenceLine, presenceOf, type PresentPerson } from '../presence';
import { draftExtensions, type EditorUser } from './extensions';
import { openDraftSession, type DraftSession } from './session';
import { Toolbar } from './Toolbar';
import { Versions, type VersionItem } from './Versions';

export interface DraftEditorProps {
  readonly draftId: string;
  readonly user: EditorUser;
  readonly versions: readonly VersionItem[];
  /** Told whenever the connection changes, so the page can say when publishing will see every edit. */
  readonly onState?: (state: CollabState) => void;
  /** This device's changes not yet answered by the server (the outbox), for SW11's one more try. */
  readonly pending: number;
}

export default function DraftEditor({ draftId, user, versions, onState, pending }: DraftEditorProps) {
  const [session, setSession] = useState<DraftSession | null>(null);
  useEffect(() => {
    const opened = openDraftSession(draftId);
    setSession(opened);
    return () => {
      setSession(null);
      opened.destroy();
    };
  }, [draftId]);
  if (session === null) return <p className="editor-loading">Opening the draft…</p>;
  return (
    <SessionEditor session={session} user={user} versions={versions} onState={onState} pending={pending} />
  );
}

function SessionEditor({
  session,
  user,
  versions,
  onState,
  pending,
}: {
  session: DraftSession;
  user: EditorUser;
  versions: readonly VersionItem[];
  onState: ((state: CollabState) => void) | undefined;
  pending: number;
}) {
  const state = useSyncExternalStore(session.subscribe, session.getState);
  useEffect(() => onState?.(state), [state, onState]);
  useRetryAfterSync(session, state, pending);
  useReconnectAfterSignIn(session, state);
  const editor = useEditor(
    {
      extensions: draftExtensions(session.doc, session.provider, user),
      editorProps: {
        attributes: {
          class: 'editor-text',
          'aria-label': 'Story text',
          'aria-multiline': 'true',
          role: 'textbox',
          'data-testid': 'draft-text',
        },
      },
    },
    [session],
  );
  return (
    <section className="editor card" aria-labelledby="editor-title" data-testid="draft-editor">
      <div className="editor-head">
        <h2 id="editor-title">Text</h2>
        <ConnectionLine state={state} />
      </div>
      <Presence session={session} />
      <Toolbar editor={editor} />
      <EditorContent editor={editor} />
      <Versions versions={versions} onRestore={(html) => restore(editor, html)} />
    </section>
  );
}

/** [SW11] A refusal that this device's pending changes may answer is tried once more when they are in. */
function useRetryAfterSync(session: DraftSession, state: CollabState, pending: number): void {
  const retried = useRef(false);
  useEffect(() => {
    if (pending > 0) retried.current = false;
    else if (retryAfterSync(state, pending, retried.current)) {
      retried.current = true;
      session.retry();
    }
  }, [session, state, pending]);
}

/**
 * [SW16] Closed because the session ended: ask the server now, so the account menu offers to sign in
 * again; once the device has a session again (the ended state seen, then cleared), reconnect once.
 */
function useReconnectAfterSignIn(session: DraftSession, state: CollabState): void {
  const auth = useAuth();
  const { status, sessionEnded } = useAuthState();
  const ended = sessionEndedClose(state);
  const sawEnded = useRef(false);
  useEffect(() => {
    if (ended)
      auth.refresh().catch((error: unknown) => console.warn('Hearth: could not check the session:', error));
  }, [ended, auth]);
  useEffect(() => {
    if (!ended) sawEnded.current = false;
    else if (sessionEnded || status !== 'signed-in') sawEnded.current = true;
    else if (sawEnded.current) {
      sawEnded.current = false;
      session.retry();
    }
  }, [ended, sessionEnded, status, session]);
}

/** [SW12] A version's HTML (server-sanitized) replaces the shared document's content: one edit for all. */
function restore(editor: Editor | null, html: string): void {
  editor?.chain().focus().setContent(html).run();
}

function ConnectionLine({ state }: { state: CollabState }) {
  return (
    <p
      className="editor-connection"
      data-testid="collab-state"
      data-state={state.kind}
      data-code={state.kind === 'closed' ? state.code : undefined}
      role={state.kind === 'closed' ? 'alert' : 'status'}
    >
      {stateLabel(state)}
    </p>
  );
}

function usePresence(session: DraftSession): PresentPerson[] {
  const [people, setPeople] = useState<PresentPerson[]>([]);
  useEffect(() => {
    const { awareness } = session.provider;
    const update = () => setPeople(presenceOf(awareness.getStates(), awareness.clientID));
    update();
    awareness.on('change', update);
    return () => awareness.off('change', update);
  }, [session]);
  return people;
}

/** [SW10] Who is here, one chip per person in their caret colour. */
function Presence({ session }: { session: DraftSession }) {
  const people = usePresence(session);
  return (
    <div className="presence" data-testid="presence" aria-label="Who is here">
      <p className="presence-line" aria-live="polite">
        {presenceLine(people)}
      </p>
      <ul className="presence-people">
        {people.map((person) => (
          <li key={person.id} data-testid="present-person" data-self={person.self} data-user-id={person.id}>
            <span className="presence-dot" style={{ backgroundColor: person.color }} aria-hidden="true" />
            {person.self ? `${person.name} (you)` : person.name}
          </li>
        ))}
      </ul>
    </div>
  );
}
