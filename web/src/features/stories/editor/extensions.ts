// The editor's extensions, in one list (SPEC.md SW13): the text features, the binding to the draft's
// Yjs document, and presence carets. Pictures and audio (media issue) join `MEDIA_EXTENSIONS` here.
import type { AnyExtension } from '@tiptap/core';
import Collaboration from '@tiptap/extension-collaboration';
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import StarterKit from '@tiptap/starter-kit';
import { DRAFT_CONTENT_FIELD } from '@hearth/schema/drafts/document';
import type { WebsocketProvider } from 'y-websocket';
import type * as Y from 'yjs';

/** Nodes for media in the text (image, audio) come with the media issue; they are added here. */
export const MEDIA_EXTENSIONS: readonly AnyExtension[] = [];

export interface EditorUser {
  readonly id: string;
  readonly name: string;
  readonly color: string;
}

function caret(user: Record<string, unknown>): HTMLElement {
  const color = typeof user.color === 'string' ? user.color : '#c4531f';
  const name = typeof user.name === 'string' ? user.name : 'Someone';
  const cursor = document.createElement('span');
  cursor.className = 'collab-caret';
  cursor.style.borderColor = color;
  const label = document.createElement('span');
  label.className = 'collab-caret-label';
  label.style.backgroundColor = color;
  label.textContent = name; // text, never markup: names come from other people
  cursor.append(label);
  return cursor;
}

/** Everything the draft editor runs with, bound to `doc` (field `content`) and `provider`'s awareness. */
export function draftExtensions(doc: Y.Doc, provider: WebsocketProvider, user: EditorUser): AnyExtension[] {
  return [
    StarterKit.configure({
      // Yjs keeps the history (undo only one's own edits); ProseMirror's would fight it.
      undoRedo: false,
      heading: { levels: [2, 3] },
      codeBlock: false,
      underline: false,
      horizontalRule: false,
      link: {
        openOnClick: false,
        autolink: true,
        protocols: ['http', 'https', 'mailto'],
        defaultProtocol: 'https',
        HTMLAttributes: { rel: 'noopener noreferrer nofollow', target: null },
      },
    }),
    Collaboration.configure({ document: doc, field: DRAFT_CONTENT_FIELD }),
    CollaborationCaret.configure({ provider, user: { ...user }, render: caret }),
    ...MEDIA_EXTENSIONS,
  ];
}
