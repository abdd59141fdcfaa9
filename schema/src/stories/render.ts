// A story's tree to HTML and plain text, from its structure and an allowlist (SPEC.md ST10..ST13):
// known nodes and marks become fixed tags, every text is escaped, the only attributes are a checked
// link href, a list start number and what a media renderer gives. Unknown nodes become their text.
// Pure and small: the browser uses it for previews; the server also passes it through ./sanitize.
import type { StoryMark, StoryNode } from './tree';

export interface RenderedStory {
  readonly html: string;
  readonly text: string;
}

/**
 * The seam for pictures and audio in the text (the media issue): a media node's element, or null to
 * leave it out. The renderer escapes what it gets; the sanitizer must allow the tag too.
 */
export interface MediaElement {
  readonly tag: 'img' | 'audio' | 'video';
  /** A same-origin path such as `/api/media/<id>`. */
  readonly src: string;
  readonly alt?: string;
}

export interface RenderOptions {
  readonly media?: (node: StoryNode) => MediaElement | null;
}

export const MEDIA_NODE_TYPES: ReadonlySet<string> = new Set(['image', 'audio', 'video']);

/** Link schemes a story may point to; anything else (javascript:, data:, relative paths) is text. */
const LINK_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:']);

export const LINK_REL = 'noopener noreferrer nofollow';

/** Escapes as the sanitizer's serializer does, so sanitizing our own output changes nothing. */
export function escapeText(value: string): string {
  return value.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;');
}

export function escapeAttribute(value: string): string {
  return escapeText(value).replace(/"/gu, '&quot;');
}

/** A link target that may be rendered, normalized by the URL parser; undefined otherwise. */
export function safeHref(href: unknown): string | undefined {
  if (typeof href !== 'string' || href.length > 2048) return undefined;
  let url: URL;
  try {
    url = new URL(href.trim());
  } catch {
    return undefined;
  }
  return LINK_PROTOCOLS.has(url.protocol) ? url.href : undefined;
}

function safeMediaSrc(src: string): string | undefined {
  return /^\/api\/media\/[A-Za-z0-9-]+$/u.test(src) ? src : undefined;
}

/** Where a node sits decides what it may become: blocks, list items, or inline content. */
type Context = 'blocks' | 'list' | 'inline';

/** Blocks whose children are inline content. */
const TEXT_BLOCKS: Readonly<Record<string, string>> = { paragraph: 'p' };

/** Marks in a fixed nesting order (outermost first), so equal trees give equal HTML. */
const MARK_TAGS: readonly (readonly [string, string])[] = [
  ['bold', 'strong'],
  ['italic', 'em'],
  ['underline', 'u'],
  ['strike', 's'],
  ['code', 'code'],
];

function integerIn(value: unknown, min: number, max: number): number | undefined {
  const number = typeof value === 'string' && /^\d+$/u.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number >= min && number <= max
    ? number
    : undefined;
}

/** All the text under a node, hard breaks as line breaks. */
export function textOf(node: StoryNode): string {
  if (node.type === 'text') return typeof node.text === 'string' ? node.text : '';
  if (node.type === 'hardBreak') return '\n';
  return (node.content ?? []).map(textOf).join('');
}

function renderText(node: StoryNode): string {
  const text = typeof node.text === 'string' ? node.text : '';
  if (text === '') return '';
  const marks = new Map<string, StoryMark>((node.marks ?? []).map((mark) => [mark.type, mark]));
  let html = escapeText(text);
  for (const [type, tag] of [...MARK_TAGS].reverse()) {
    if (marks.has(type)) html = `<${tag}>${html}</${tag}>`;
  }
  const href = safeHref(marks.get('link')?.attrs?.['href']);
  if (href !== undefined) html = `<a href="${escapeAttribute(href)}" rel="${LINK_REL}">${html}</a>`;
  return html;
}

function renderMedia(node: StoryNode, options: RenderOptions): string {
  const element = options.media?.(node);
  const src = element ? safeMediaSrc(element.src) : undefined;
  if (!element || src === undefined) return '';
  const alt = escapeAttribute(element.alt ?? '');
  return element.tag === 'img'
    ? `<img src="${src}" alt="${alt}" />`
    : `<${element.tag} src="${src}" controls=""></${element.tag}>`;
}

const wrap = (tag: string, inner: string, attributes = '') =>
  inner === '' && tag !== 'p' ? '' : `<${tag}${attributes}>${inner}</${tag}>`;

/** A node that does not belong where it is: its text, escaped, shaped for the context. */
function asText(node: StoryNode, context: Context): string {
  const text = escapeText(textOf(node)).replace(/\n/gu, '<br />');
  if (text === '') return '';
  if (context === 'inline') return text;
  return context === 'list' ? `<li><p>${text}</p></li>` : `<p>${text}</p>`;
}

function renderAll(
  nodes: readonly StoryNode[] | undefined,
  options: RenderOptions,
  context: Context,
): string {
  return (nodes ?? []).map((child) => renderNode(child, options, context)).join('');
}

function renderNode(node: StoryNode, options: RenderOptions, context: Context): string {
  if (MEDIA_NODE_TYPES.has(node.type)) return renderMedia(node, options);
  if (context === 'inline') {
    if (node.type === 'text') return renderText(node);
    if (node.type === 'hardBreak') return '<br />';
    return asText(node, context);
  }
  if (context === 'list') {
    return node.type === 'listItem'
      ? wrap('li', renderAll(node.content, options, 'blocks'))
      : asText(node, context);
  }
  switch (node.type) {
    case 'doc':
    case 'blockquote': {
      const inner = renderAll(node.content, options, 'blocks');
      return node.type === 'doc' ? inner : wrap('blockquote', inner);
    }
    case 'horizontalRule':
      return '<hr />';
    case 'heading': {
      const level = integerIn(node.attrs?.['level'], 1, 6) ?? 2;
      return wrap(`h${level}`, renderAll(node.content, options, 'inline'));
    }
    case 'bulletList':
      return wrap('ul', renderAll(node.content, options, 'list'));
    case 'orderedList': {
      const start = integerIn(node.attrs?.['start'], 0, 1_000_000) ?? 1;
      return wrap('ol', renderAll(node.content, options, 'list'), start === 1 ? '' : ` start="${start}"`);
    }
    case 'codeBlock': {
      const code = escapeText(textOf(node));
      return code === '' ? '' : `<pre><code>${code}</code></pre>`;
    }
    default: {
      const tag = TEXT_BLOCKS[node.type];
      return tag !== undefined
        ? wrap(tag, renderAll(node.content, options, 'inline'))
        : asText(node, context);
    }
  }
}

/** Plain text: blocks apart by a blank line, list items on their own lines. */
function plainText(node: StoryNode): string {
  switch (node.type) {
    case 'doc':
    case 'blockquote':
      return (node.content ?? [])
        .map(plainText)
        .filter((block) => block !== '')
        .join('\n\n');
    case 'bulletList':
    case 'orderedList':
      return (node.content ?? [])
        .map(plainText)
        .filter((item) => item !== '')
        .join('\n');
    case 'listItem':
      return (node.content ?? [])
        .map(plainText)
        .filter((block) => block !== '')
        .join('\n');
    default:
      return MEDIA_NODE_TYPES.has(node.type) ? '' : textOf(node).trim();
  }
}

/** The story's HTML (allowlisted structure, escaped text) and its plain text (search, summary). */
export function renderStory(doc: StoryNode, options: RenderOptions = {}): RenderedStory {
  return { html: renderNode(doc, options, 'blocks'), text: plainText(doc) };
}

/** The first words of the text, for cards and feeds: at most `max` characters, cut at a word. */
export function summaryOf(text: string, max = 280): string {
  const flat = text.replace(/\s+/gu, ' ').trim();
  const chars = [...flat];
  if (chars.length <= max) return flat;
  const cut = chars.slice(0, max - 1).join('');
  const atWord = cut.replace(/\s+\S*$/u, '');
  return `${atWord.length > max / 2 ? atWord : cut}…`;
}
