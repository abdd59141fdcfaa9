// What a typed link address becomes (SPEC.md SW9): http(s) and mailto only, like the server's render.
// "example.org/x" gets https://; an address with @ and no scheme gets mailto:. Anything else: null. Pure.

export function linkHref(input: string): string | null {
  const text = input.trim();
  if (text === '' || /\s/.test(text)) return null;
  const candidate = /^[a-z][a-z0-9+.-]*:/i.test(text)
    ? text
    : /^[^@/]+@[^@/]+\.[^@/]+$/.test(text)
      ? `mailto:${text}`
      : `https://${text}`;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (url.protocol === 'mailto:') return url.href;
  if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.includes('.')) return url.href;
  return null;
}
