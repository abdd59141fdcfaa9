// A small client-side router over the History API: the path picks the screen (`routeOf`, pure),
// `navigate` moves without a reload, and <Link> turns plain clicks on same-origin links into that.
// Unknown paths still render the shell (the service worker answers every navigation with it).
import {
  createElement,
  useSyncExternalStore,
  type AnchorHTMLAttributes,
  type MouseEvent,
  type ReactNode,
} from 'react';

export type Route =
  | { readonly name: 'home' }
  | { readonly name: 'signin' }
  | { readonly name: 'signup' }
  | { readonly name: 'account' }
  | { readonly name: 'not-found'; readonly path: string };

const ROUTES: Readonly<Record<string, Route>> = {
  '/': { name: 'home' },
  '/signin': { name: 'signin' },
  '/signup': { name: 'signup' },
  '/account': { name: 'account' },
};

function withoutTrailingSlash(pathname: string): string {
  return pathname.length > 1 ? pathname.replace(/\/+$/, '') || '/' : pathname;
}

/** The shell's screen for a path; a trailing slash is ignored. Feature screens are matched after it. */
export function routeOf(pathname: string): Route {
  return ROUTES[withoutTrailingSlash(pathname)] ?? { name: 'not-found', path: pathname };
}

/** Values of a pattern's `:name` segments, decoded. */
export type RouteParams = Readonly<Record<string, string>>;

/**
 * A feature's screens (web/src/features/<feature>/routes.tsx) as patterns like `/events/:eventId`.
 * Features own their screens; the shell only lists their tables (./features).
 */
export interface FeatureRoute {
  readonly pattern: string;
  readonly render: (params: RouteParams) => ReactNode;
}

/** The params when `pathname` fits `pattern` segment by segment, else null. Malformed escapes never match. */
export function matchPath(pattern: string, pathname: string): RouteParams | null {
  const wanted = withoutTrailingSlash(pattern).split('/');
  const given = withoutTrailingSlash(pathname).split('/');
  if (wanted.length !== given.length) return null;
  const params: Record<string, string> = {};
  for (const [index, segment] of wanted.entries()) {
    const actual = given[index] ?? '';
    if (segment.startsWith(':')) {
      if (actual === '') return null;
      try {
        params[segment.slice(1)] = decodeURIComponent(actual);
      } catch {
        return null;
      }
    } else if (segment !== actual) return null;
  }
  return params;
}

/** The first feature route whose pattern fits, with its params. */
export function matchFeature(
  routes: readonly FeatureRoute[],
  pathname: string,
): { route: FeatureRoute; params: RouteParams } | null {
  for (const route of routes) {
    const params = matchPath(route.pattern, pathname);
    if (params) return { route, params };
  }
  return null;
}

/** Fired on `window` after `navigate`, since pushState itself fires nothing. */
const NAVIGATED = 'hearth:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATED, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATED, onChange);
  };
}

/** Path + query of the page, re-rendered on every navigation. */
export function useLocation(): { pathname: string; search: string } {
  const href = useSyncExternalStore(subscribe, () => window.location.pathname + window.location.search);
  const url = new URL(href, window.location.origin);
  return { pathname: url.pathname, search: url.search };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = new URL(to, window.location.href);
  if (url.origin !== window.location.origin) {
    window.location.assign(url.href);
    return;
  }
  const target = url.pathname + url.search + url.hash;
  if (options.replace) window.history.replaceState(null, '', target);
  else window.history.pushState(null, '', target);
  window.dispatchEvent(new Event(NAVIGATED));
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string };

/** An <a> that navigates in the app on a plain click; new-tab clicks and the like stay the browser's. */
export function Link({ to, onClick, ...props }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey ||
      (props.target !== undefined && props.target !== '_self')
    )
      return;
    event.preventDefault();
    navigate(to);
  };
  return createElement('a', { ...props, href: to, onClick: handle });
}
