// The router's pure part (web/src/auth/SPEC.md AU1): which screen a path shows.
import { describe, expect, it } from 'vitest';
import { matchFeature, matchPath, routeOf } from './router';

describe('[AU1] routes', () => {
  it('[AU1] the four screens have their paths, with or without a trailing slash', () => {
    expect(routeOf('/')).toEqual({ name: 'home' });
    expect(routeOf('/signin')).toEqual({ name: 'signin' });
    expect(routeOf('/signup/')).toEqual({ name: 'signup' });
    expect(routeOf('/account')).toEqual({ name: 'account' });
  });

  it('[AU1] any other path is "not found", still inside the shell', () => {
    expect(routeOf('/communities/some-community/events')).toEqual({
      name: 'not-found',
      path: '/communities/some-community/events',
    });
    expect(routeOf('/SIGNIN')).toMatchObject({ name: 'not-found' });
  });
});

describe('[AU1] feature routes', () => {
  const routes = [
    { pattern: '/events/new', render: () => 'new' },
    { pattern: '/events/:eventId', render: () => 'event' },
  ];

  it('[AU1] a pattern binds its :params, decoded, with or without a trailing slash', () => {
    expect(matchPath('/events/:eventId', '/events/abc%20d/')).toEqual({ eventId: 'abc d' });
    expect(matchPath('/c/:communityId/events/:eventId', '/c/x/events/y')).toEqual({
      communityId: 'x',
      eventId: 'y',
    });
  });

  it('[AU1] segments must all fit: other lengths, other words, empty params and bad escapes do not match', () => {
    expect(matchPath('/events/:eventId', '/events')).toBeNull();
    expect(matchPath('/events/:eventId', '/events/a/b')).toBeNull();
    expect(matchPath('/events/:eventId', '/stories/a')).toBeNull();
    expect(matchPath('/events/:eventId', '/events//')).toBeNull();
    expect(matchPath('/events/:eventId', '/events/%E0%A4%A')).toBeNull();
  });

  it('[AU1] the first route in the table that fits wins', () => {
    expect(matchFeature(routes, '/events/new')?.route.pattern).toBe('/events/new');
    expect(matchFeature(routes, '/events/42')?.params).toEqual({ eventId: '42' });
    expect(matchFeature(routes, '/nowhere')).toBeNull();
  });
});
