// The router's pure part (web/src/auth/SPEC.md AU1): which screen a path shows.
import { describe, expect, it } from 'vitest';
import { routeOf } from './router';

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
