// Rendering a story from its structure, and the sanitizer behind it (sync-server/src/stories/SPEC.md
// ST1..ST7). Pure: Yjs documents are built in memory, as TipTap's Collaboration extension writes them.
import { getSchema } from '@tiptap/core';
import StarterKit from '@tiptap/starter-kit';
import { prosemirrorJSONToYDoc } from 'y-prosemirror';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { draftContent } from '../drafts/document';
import { renderStory, summaryOf, type MediaElement } from './render';
import { sanitizeStoryHtml } from './sanitize';
import { normalizeTag, tagSlug } from './tags';
import { storyTreeOf, storyTreeOfState, writeStoryTree, type StoryNode } from './tree';

const tiptap = getSchema([StarterKit]);

const text = (value: string, marks?: StoryNode['marks']): StoryNode =>
  marks ? { type: 'text', text: value, marks } : { type: 'text', text: value };
const p = (...content: StoryNode[]): StoryNode => ({ type: 'paragraph', content });
const doc = (...content: StoryNode[]): StoryNode => ({ type: 'doc', content });
const link = (href: unknown, value = 'here'): StoryNode => text(value, [{ type: 'link', attrs: { href } }]);

/** Both walls, as publishing runs them. */
const publishHtml = (tree: StoryNode) => sanitizeStoryHtml(renderStory(tree).html);

const RICH = doc(
  { type: 'heading', attrs: { level: 2 }, content: [text('A night in Lagos')] },
  p(
    text('We sang '),
    text('all night', [{ type: 'bold' }, { type: 'italic' }]),
    text(' with '),
    link('https://example.org/songs?a=1&b=2', 'the choir'),
    { type: 'hardBreak' },
    text('and ', [{ type: 'strike' }]),
    text('x < y', [{ type: 'code' }]),
  ),
  { type: 'blockquote', content: [p(text('“Sing,” she said.'))] },
  {
    type: 'bulletList',
    content: [
      { type: 'listItem', content: [p(text('drums'))] },
      { type: 'listItem', content: [p(text('voices'))] },
    ],
  },
  { type: 'orderedList', attrs: { start: 3 }, content: [{ type: 'listItem', content: [p(text('third'))] }] },
);

describe('[ST1] a story renders from its structure, stably', () => {
  it('[ST1] known nodes and marks become fixed tags in a fixed order', () => {
    expect(renderStory(RICH).html).toBe(
      '<h2>A night in Lagos</h2>' +
        '<p>We sang <strong><em>all night</em></strong> with ' +
        '<a href="https://example.org/songs?a=1&amp;b=2" rel="noopener noreferrer nofollow">the choir</a>' +
        '<br /><s>and </s><code>x &lt; y</code></p>' +
        '<blockquote><p>“Sing,” she said.</p></blockquote>' +
        '<ul><li><p>drums</p></li><li><p>voices</p></li></ul>' +
        '<ol start="3"><li><p>third</p></li></ol>',
    );
  });

  it('[ST1] the plain text keeps blocks apart and list items on their own lines', () => {
    expect(renderStory(RICH).text).toBe(
      'A night in Lagos\n\nWe sang all night with the choir\nand x < y\n\n“Sing,” she said.\n\ndrums\nvoices\n\nthird',
    );
  });

  it('[ST1] marks nest in the same order whatever order the document lists them in', () => {
    const a = doc(p(text('x', [{ type: 'italic' }, { type: 'bold' }, { type: 'underline' }])));
    const b = doc(p(text('x', [{ type: 'underline' }, { type: 'bold' }, { type: 'italic' }])));
    expect(renderStory(a).html).toBe('<p><strong><em><u>x</u></em></strong></p>');
    expect(renderStory(b).html).toBe(renderStory(a).html);
  });

  it('[ST1] the Yjs document TipTap writes renders exactly as the editor JSON it came from', () => {
    const json = {
      type: 'doc',
      content: [
        { type: 'heading', attrs: { level: 3 }, content: [{ type: 'text', text: 'Title' }] },
        {
          type: 'paragraph',
          content: [
            {
              type: 'text',
              text: 'bold link',
              marks: [{ type: 'bold' }, { type: 'link', attrs: { href: 'https://a.example/' } }],
            },
            { type: 'hardBreak' },
            { type: 'text', text: '<img src=x onerror=alert(1)>' },
          ],
        },
        {
          type: 'bulletList',
          content: [
            { type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'one' }] }] },
          ],
        },
      ],
    };
    const ydoc = prosemirrorJSONToYDoc(tiptap, json, 'content');
    const fromYjs = renderStory(storyTreeOf(ydoc));
    const fromJson = renderStory(tiptap.nodeFromJSON(json).toJSON() as StoryNode);
    expect(fromYjs).toEqual(fromJson);
    expect(fromYjs.html).toBe(
      '<h3>Title</h3><p><a href="https://a.example/" rel="noopener noreferrer nofollow"><strong>bold link</strong></a>' +
        '<br />&lt;img src=x onerror=alert(1)&gt;</p><ul><li><p>one</p></li></ul>',
    );
    // And the stored form (one merged update) reads back the same.
    expect(renderStory(storyTreeOfState(Y.encodeStateAsUpdate(ydoc)))).toEqual(fromYjs);
  });

  it("[ST1] writeStoryTree lays a tree out as y-prosemirror does, so demo data reads like an editor's", () => {
    const json = tiptap.nodeFromJSON(RICH).toJSON() as StoryNode;
    const ours = new Y.Doc();
    writeStoryTree(ours, json);
    const theirs = prosemirrorJSONToYDoc(tiptap, json, 'content');
    expect(draftContent(ours).toJSON()).toBe(draftContent(theirs).toJSON());
    expect(storyTreeOf(ours)).toEqual(storyTreeOf(theirs));
  });

  it('[ST1] the sanitizer changes nothing in what the renderer makes', () => {
    const { html } = renderStory(RICH);
    expect(sanitizeStoryHtml(html)).toBe(html);
  });
});

describe('[ST2] text is data', () => {
  it.each([
    '<script>alert(1)</script>',
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    '</p><iframe src="javascript:alert(1)"></iframe>',
    '<a href="javascript:alert(1)">x</a>',
    '&lt;script&gt; already escaped',
    '<!-- comment --><![CDATA[x]]>',
  ])('[ST2] hostile text %j renders as text, never as markup', (hostile) => {
    const html = publishHtml(
      doc(p(text(hostile)), { type: 'heading', attrs: { level: 1 }, content: [text(hostile)] }),
    );
    expect(html).not.toMatch(/<(script|img|svg|iframe|a|!--)/iu);
    expect(html).not.toMatch(/<[^>]*\son\w+=/iu);
    expect(renderStory(doc(p(text(hostile)))).text).toBe(hostile);
  });
});

describe('[ST3] links', () => {
  it.each([
    'javascript:alert(1)',
    ' JaVaScRiPt:alert(1)',
    'java\u0000script:alert(1)',
    'jav&#x09;ascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    '//evil.example/x',
    '/relative/path',
    'file:///etc/passwd',
    42,
    null,
  ])('[ST3] a link to %j keeps its text and loses the link', (href) => {
    expect(publishHtml(doc(p(link(href))))).toBe('<p>here</p>');
  });

  it.each([
    ['https://example.org/a b', 'https://example.org/a%20b'],
    ['http://example.org', 'http://example.org/'],
    ['mailto:someone@example.org', 'mailto:someone@example.org'],
    ['https://example.org/"onmouseover="alert(1)', 'https://example.org/%22onmouseover=%22alert(1)'],
  ])('[ST3] a link to %j is kept, normalized, with rel="noopener noreferrer nofollow"', (href, normal) => {
    expect(publishHtml(doc(p(link(href))))).toBe(
      `<p><a href="${normal}" rel="noopener noreferrer nofollow">here</a></p>`,
    );
  });
});

describe('[ST4] attributes', () => {
  it('[ST4] node and mark attributes other than a link href, a heading level and a list start never reach the HTML', () => {
    const tree = doc(
      {
        type: 'paragraph',
        attrs: { onclick: 'alert(1)', style: 'color:red', class: 'x', id: 'y' },
        content: [text('a')],
      },
      { type: 'heading', attrs: { level: '1 onmouseover=alert(1)' }, content: [text('b')] },
      { type: 'heading', attrs: { level: 9 }, content: [text('c')] },
      {
        type: 'orderedList',
        attrs: { start: '1" onclick="x' },
        content: [{ type: 'listItem', content: [p(text('d'))] }],
      },
      p(
        text('e', [
          { type: 'link', attrs: { href: 'https://ok.example/', onclick: 'x', target: '_self', style: 'x' } },
        ]),
      ),
      p(text('f', [{ type: 'bold', attrs: { onmouseover: 'alert(1)' } }])),
    );
    expect(publishHtml(tree)).toBe(
      '<p>a</p><h2>b</h2><h2>c</h2><ol><li><p>d</p></li></ol>' +
        '<p><a href="https://ok.example/" rel="noopener noreferrer nofollow">e</a></p><p><strong>f</strong></p>',
    );
  });
});

describe('[ST5] unknown and misplaced nodes', () => {
  it('[ST5] an unknown node becomes its text (a paragraph where blocks go, inline text inside one)', () => {
    const tree = doc(
      { type: 'script', content: [text('alert(1)')] },
      { type: 'iframe', attrs: { src: 'javascript:alert(1)' } },
      p(text('before '), { type: 'mention', attrs: { id: 'u1' }, content: [text('@ada')] }, text(' after')),
      {
        type: 'table',
        content: [{ type: 'tableRow', content: [{ type: 'tableCell', content: [p(text('cell'))] }] }],
      },
    );
    expect(publishHtml(tree)).toBe('<p>alert(1)</p><p>before @ada after</p><p>cell</p>');
  });

  it('[ST5] nested weirdness is flattened to text: blocks inside inline content, lists of non-items, text at the top', () => {
    const tree = doc(
      p(text('a'), p(text('<b>inner</b>')), { type: 'blockquote', content: [p(text('q'))] }),
      {
        type: 'bulletList',
        content: [p(text('not an item')), { type: 'listItem', content: [p(text('item'))] }],
      },
      text('loose <i>text</i>', [{ type: 'bold' }]),
      {
        type: 'heading',
        attrs: { level: 2 },
        content: [{ type: 'heading', attrs: { level: 1 }, content: [text('h')] }],
      },
      { type: 'listItem', content: [p(text('orphan item'))] },
    );
    const html = publishHtml(tree);
    expect(html).toBe(
      '<p>a&lt;b&gt;inner&lt;/b&gt;q</p>' +
        '<ul><li><p>not an item</p></li><li><p>item</p></li></ul>' +
        '<p>loose &lt;i&gt;text&lt;/i&gt;</p><h2>h</h2><p>orphan item</p>',
    );
    expect(sanitizeStoryHtml(renderStory(tree).html)).toBe(renderStory(tree).html);
  });

  it('[ST5] Yjs elements that y-prosemirror never writes (a hook, an embed in a text) are left out', () => {
    const ydoc = new Y.Doc();
    const content = draftContent(ydoc);
    const paragraph = new Y.XmlElement('paragraph');
    const words = new Y.XmlText();
    // A hook is not an element y-prosemirror writes; the types say so too.
    content.insert(0, [paragraph, new Y.XmlHook('hook') as unknown as Y.XmlElement]);
    paragraph.insert(0, [words]);
    words.insert(0, 'kept');
    words.insertEmbed(4, { script: 'alert(1)' });
    expect(renderStory(storyTreeOf(ydoc)).html).toBe('<p>kept</p>');
  });
});

describe('[ST6] the sanitizer, on its own', () => {
  it('[ST6] raw hostile HTML loses scripts, handlers, styles, foreign elements and bad links', () => {
    const hostile =
      '<p onclick="x" style="color:red">a<script>alert(1)</script></p><img src=x onerror=alert(1)>' +
      '<a href="javascript:alert(1)" onmouseover="x">b</a><a href="https://ok.example/" target="_blank">c</a>' +
      '<svg><script>alert(1)</script></svg><iframe src="https://evil.example"></iframe><style>p{}</style>' +
      '<math><mi>x</mi></math><form action="/x"><input name="y"></form><ol start="2" type="a"><li>d</li></ol>';
    expect(sanitizeStoryHtml(hostile)).toBe(
      '<p>a</p><a>b</a><a href="https://ok.example/" rel="noopener noreferrer nofollow">c</a><ol start="2"><li>d</li></ol>',
    );
  });
});

describe('[ST7] the media seam', () => {
  const image: StoryNode = { type: 'image', attrs: { mediaId: 'm1', alt: 'a "cat"' } };
  it('[ST7] media nodes are left out until a media renderer is given', () => {
    expect(renderStory(doc(image, p(text('x')))).html).toBe('<p>x</p>');
  });

  it('[ST7] a media renderer places same-origin media only, escaped, and the sanitizer keeps them', () => {
    const media = (node: StoryNode): MediaElement => ({
      tag: 'img',
      src: `/api/media/${String(node.attrs?.['mediaId'])}`,
      alt: String(node.attrs?.['alt']),
    });
    const html = renderStory(doc(image), { media }).html;
    expect(html).toBe('<img src="/api/media/m1" alt="a &quot;cat&quot;" />');
    expect(sanitizeStoryHtml(html)).toBe(html);
    const foreign = renderStory(doc(image), {
      media: () => ({ tag: 'img', src: 'https://evil.example/x.png' }),
    });
    expect(foreign.html).toBe('');
    expect(
      sanitizeStoryHtml('<img src="https://evil.example/x.png"><audio src="javascript:x"></audio>'),
    ).toBe('');
  });
});

describe('summaries and tags', () => {
  it('[ST16] a summary is the first words of the text, cut at a word', () => {
    expect(summaryOf('short\n\ntext')).toBe('short text');
    const long = 'word '.repeat(100);
    const summary = summaryOf(long, 40);
    expect([...summary].length).toBeLessThanOrEqual(40);
    expect(summary.endsWith('word…')).toBe(true);
  });

  it.each([
    ['São Paulo', 'sao-paulo'],
    ['  sao   PAULO ', 'sao-paulo'],
    ['Île-de-France!', 'ile-de-france'],
    ['日本', '_k4l_kdo'],
    ['Tōkyō 東京', 'tokyo-_kfl_fjg'],
    ['हिन्दी', '_1tl_1tr_1t4_1u5_1t2_1ts'],
    ['!!!', ''],
  ])('[ST11] the tag %j has the slug %j', (label, slug) => {
    expect(tagSlug(label)).toBe(slug);
  });

  it('[ST11] a tag keeps its label as typed, with single spaces', () => {
    expect(normalizeTag('place', '  São   Paulo ')).toEqual({
      kind: 'place',
      slug: 'sao-paulo',
      label: 'São Paulo',
    });
  });
});
