// The editor's formatting buttons (SPEC.md SW9): headings, emphasis, quotes, lists and links, each a
// toggle that says whether it is on (aria-pressed). A link takes an http(s) or mailto address.
import { useEditorState, type Editor } from '@tiptap/react';
import { useState, type FormEvent } from 'react';
import { linkHref } from './link';

interface Tool {
  readonly name: string;
  readonly label: string;
  readonly active: (editor: Editor) => boolean;
  readonly run: (editor: Editor) => void;
}

const TOOLS: readonly Tool[] = [
  {
    name: 'h2',
    label: 'Heading',
    active: (e) => e.isActive('heading', { level: 2 }),
    run: (e) => e.chain().focus().toggleHeading({ level: 2 }).run(),
  },
  {
    name: 'h3',
    label: 'Subheading',
    active: (e) => e.isActive('heading', { level: 3 }),
    run: (e) => e.chain().focus().toggleHeading({ level: 3 }).run(),
  },
  {
    name: 'bold',
    label: 'Bold',
    active: (e) => e.isActive('bold'),
    run: (e) => e.chain().focus().toggleBold().run(),
  },
  {
    name: 'italic',
    label: 'Italic',
    active: (e) => e.isActive('italic'),
    run: (e) => e.chain().focus().toggleItalic().run(),
  },
  {
    name: 'quote',
    label: 'Quote',
    active: (e) => e.isActive('blockquote'),
    run: (e) => e.chain().focus().toggleBlockquote().run(),
  },
  {
    name: 'bullets',
    label: 'Bulleted list',
    active: (e) => e.isActive('bulletList'),
    run: (e) => e.chain().focus().toggleBulletList().run(),
  },
  {
    name: 'numbers',
    label: 'Numbered list',
    active: (e) => e.isActive('orderedList'),
    run: (e) => e.chain().focus().toggleOrderedList().run(),
  },
];

export function Toolbar({ editor }: { editor: Editor | null }) {
  const active = useEditorState({
    editor,
    selector: ({ editor: current }): Readonly<Record<string, boolean>> => {
      if (current === null) return {};
      const on: Record<string, boolean> = { link: current.isActive('link') };
      for (const tool of TOOLS) on[tool.name] = tool.active(current);
      return on;
    },
  });
  const [linking, setLinking] = useState(false);
  if (editor === null) return null;
  return (
    <div className="toolbar" role="toolbar" aria-label="Formatting">
      {TOOLS.map((tool) => (
        <button
          key={tool.name}
          type="button"
          className="tool"
          aria-pressed={active?.[tool.name] === true}
          onClick={() => tool.run(editor)}
        >
          {tool.label}
        </button>
      ))}
      <button
        type="button"
        className="tool"
        aria-pressed={active?.link === true}
        aria-expanded={linking}
        onClick={() => {
          if (editor.isActive('link')) editor.chain().focus().unsetLink().run();
          else setLinking(!linking);
        }}
      >
        {active?.link === true ? 'Remove link' : 'Link'}
      </button>
      {linking && <LinkForm editor={editor} onDone={() => setLinking(false)} />}
    </div>
  );
}

function LinkForm({ editor, onDone }: { editor: Editor; onDone: () => void }) {
  const [address, setAddress] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const href = linkHref(address);
    if (href === null) {
      setError('Use a web address (https://…) or an email address.');
      return;
    }
    editor.chain().focus().extendMarkRange('link').setLink({ href }).run();
    onDone();
  };
  return (
    <form className="link-form" onSubmit={submit}>
      <label htmlFor="link-address">Link address</label>
      <input
        id="link-address"
        type="text"
        inputMode="url"
        value={address}
        autoFocus
        aria-invalid={error !== null}
        aria-describedby={error !== null ? 'link-error' : undefined}
        onChange={(event) => setAddress(event.target.value)}
      />
      <button type="submit" className="button button-secondary">
        Add link
      </button>
      {error !== null && (
        <p id="link-error" className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
