// Link addresses in the editor (SPEC.md SW9): only http(s) and mailto become links.
import { describe, expect, it } from 'vitest';
import { linkHref } from './link';

describe('[SW9] link addresses', () => {
  it('[SW9] web and email addresses become links, a bare host gets https', () => {
    expect(linkHref(' https://example.org/a?b=1 ')).toBe('https://example.org/a?b=1');
    expect(linkHref('example.org/story')).toBe('https://example.org/story');
    expect(linkHref('ana@example.org')).toBe('mailto:ana@example.org');
    expect(linkHref('mailto:ana@example.org')).toBe('mailto:ana@example.org');
  });

  it('[SW9] script and other schemes, spaces and hostless text are refused', () => {
    expect(linkHref('javascript:alert(1)')).toBeNull();
    expect(linkHref('JaVaScRiPt:alert(1)')).toBeNull();
    expect(linkHref('data:text/html,<script>')).toBeNull();
    expect(linkHref('vbscript:x')).toBeNull();
    expect(linkHref('two words')).toBeNull();
    expect(linkHref('localhost')).toBeNull();
    expect(linkHref('')).toBeNull();
  });
});
