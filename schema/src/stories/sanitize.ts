// The second wall (SPEC.md ST12): whatever the renderer made goes through a maintained sanitizer with
// the same allowlist before it is stored, so a renderer bug cannot put markup in a story. Node only:
// the server hands it to the publish mutation (sync-server/src/writes/services.ts); the browser
// renders previews with ./render and never imports this module.
import sanitizeHtml from 'sanitize-html';
import { LINK_REL, safeHref } from './render';

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'blockquote',
    'ul',
    'ol',
    'li',
    'br',
    'hr',
    'pre',
    'code',
    'strong',
    'em',
    'u',
    's',
    'a',
    // The media seam (./render MediaElement): same-origin sources only, checked below.
    'img',
    'audio',
    'video',
  ],
  allowedAttributes: {
    a: ['href', 'rel'],
    ol: ['start'],
    img: ['src', 'alt'],
    audio: ['src', 'controls'],
    video: ['src', 'controls'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: [], audio: [], video: [] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // Elements whose content is never text for a reader: dropped whole.
  nonTextTags: [
    'script',
    'style',
    'textarea',
    'option',
    'noscript',
    'template',
    'iframe',
    'object',
    'svg',
    'math',
  ],
  transformTags: {
    a: (tagName, attribs) => {
      const href = safeHref(attribs['href']);
      return { tagName, attribs: href === undefined ? {} : { href, rel: LINK_REL } };
    },
  },
  exclusiveFilter: (frame) =>
    (frame.tag === 'img' || frame.tag === 'audio' || frame.tag === 'video') &&
    !/^\/api\/media\/[A-Za-z0-9-]+$/u.test(frame.attribs['src'] ?? ''),
};

/** HTML with nothing outside the story allowlist: no scripts, handlers, styles or foreign links. */
export function sanitizeStoryHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}
