// A story's document as a plain tree, the shape of ProseMirror's JSON (`editor.getJSON()` in the
// browser), read from the draft's Yjs document as TipTap's Collaboration extension lays it out:
// `doc.getXmlFragment('content')` holds y-prosemirror elements (node name = node type, attributes =
// node attrs) and texts whose formatting attributes are the marks. Pure: no IO, runs in the browser.
import * as Y from 'yjs';
import { draftContent, draftDocument } from '../drafts/document';

export interface StoryMark {
  readonly type: string;
  readonly attrs?: Readonly<Record<string, unknown>>;
}

export interface StoryNode {
  readonly type: string;
  readonly attrs?: Readonly<Record<string, unknown>>;
  readonly content?: readonly StoryNode[];
  /** Only on `text` nodes. */
  readonly text?: string;
  readonly marks?: readonly StoryMark[];
}

/** y-prosemirror stores a mark that may repeat on one text (e.g. two comments) as `name--hash`. */
const markName = (key: string): string => key.replace(/--[A-Za-z0-9+/=]+$/u, '');

function marksOf(attributes: Readonly<Record<string, unknown>> | undefined): StoryMark[] {
  if (!attributes) return [];
  return Object.entries(attributes)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => {
      const attrs =
        typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
      return Object.keys(attrs).length > 0 ? { type: markName(key), attrs } : { type: markName(key) };
    });
}

interface DeltaOp {
  insert?: unknown;
  attributes?: Record<string, unknown>;
}

function textNodes(text: Y.XmlText): StoryNode[] {
  const nodes: StoryNode[] = [];
  for (const op of text.toDelta() as DeltaOp[]) {
    // Embeds (non-string inserts) are not part of TipTap's text; their seam is a node, not a mark.
    if (typeof op.insert !== 'string' || op.insert === '') continue;
    const marks = marksOf(op.attributes);
    nodes.push(
      marks.length > 0 ? { type: 'text', text: op.insert, marks } : { type: 'text', text: op.insert },
    );
  }
  return nodes;
}

function childrenOf(parent: Y.XmlFragment | Y.XmlElement): StoryNode[] {
  const nodes: StoryNode[] = [];
  for (const child of parent.toArray()) {
    if (child instanceof Y.XmlText) nodes.push(...textNodes(child));
    else if (child instanceof Y.XmlElement) nodes.push(elementNode(child));
    // Y.XmlHook and anything else: not written by y-prosemirror; left out.
  }
  return nodes;
}

function elementNode(element: Y.XmlElement): StoryNode {
  const attrs = element.getAttributes() as Record<string, unknown>;
  const content = childrenOf(element);
  return {
    type: element.nodeName,
    ...(Object.keys(attrs).length > 0 ? { attrs } : {}),
    ...(content.length > 0 ? { content } : {}),
  };
}

/** The `doc` node of a draft's Yjs document. */
export function storyTreeOf(doc: Y.Doc): StoryNode {
  return { type: 'doc', content: childrenOf(draftContent(doc)) };
}

/** The `doc` node of a stored state (`readDraftState` in ../drafts/document). */
export function storyTreeOfState(state: Uint8Array): StoryNode {
  const doc = draftDocument(state);
  try {
    return storyTreeOf(doc);
  } finally {
    doc.destroy();
  }
}

function writeChildren(parent: Y.XmlFragment | Y.XmlElement, nodes: readonly StoryNode[]): void {
  const children: (Y.XmlElement | Y.XmlText)[] = [];
  let text: Y.XmlText | null = null;
  const runs: { text: string; marks: Record<string, object> }[][] = [];
  for (const node of nodes) {
    if (node.type === 'text') {
      // Consecutive text nodes share one Y.XmlText, as y-prosemirror writes them.
      if (text === null) {
        text = new Y.XmlText();
        children.push(text);
        runs.push([]);
      }
      const marks = Object.fromEntries((node.marks ?? []).map((mark) => [mark.type, mark.attrs ?? {}]));
      runs[runs.length - 1]?.push({ text: node.text ?? '', marks });
      continue;
    }
    text = null;
    children.push(new Y.XmlElement(node.type));
  }
  parent.insert(parent.length, children);
  let run = 0;
  let element = 0;
  const elements = nodes.filter((node) => node.type !== 'text');
  for (const child of children) {
    if (child instanceof Y.XmlText) {
      let at = 0;
      for (const piece of runs[run++] ?? []) {
        child.insert(at, piece.text, piece.marks);
        at += piece.text.length;
      }
      continue;
    }
    const node = elements[element++];
    if (!node) continue;
    for (const [key, value] of Object.entries(node.attrs ?? {}))
      if (value !== null && value !== undefined) child.setAttribute(key, value as string);
    writeChildren(child, node.content ?? []);
  }
}

/**
 * Writes a tree into a draft document's content, laid out as y-prosemirror lays it out (the inverse of
 * `storyTreeOf`), after what is there. For demo data and tests; editors write through TipTap.
 */
export function writeStoryTree(doc: Y.Doc, tree: StoryNode): void {
  doc.transact(() => writeChildren(draftContent(doc), tree.content ?? []));
}
