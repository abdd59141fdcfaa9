// The gatherings screens (./SPEC.md): communities, events, tickets and the door. Each screen is its
// own lazy chunk so the shell's first load stays small; all read the replica inside GatheringsFrame.
import { lazy, Suspense, type ComponentType, type ReactNode } from 'react';
import type { FeatureRoute, RouteParams } from '../../app/router';
import { GatheringsFrame, Loading } from './parts';
import './gatherings.css';

function screen<P extends object>(load: () => Promise<ComponentType<P>>, props: (params: RouteParams) => P) {
  const Screen = lazy(() => load().then((component) => ({ default: component })));
  return (params: RouteParams): ReactNode => (
    <GatheringsFrame>
      <Suspense fallback={<Loading what="this screen" />}>
        <Screen {...props(params)} />
      </Suspense>
    </GatheringsFrame>
  );
}

const param = (params: RouteParams, name: string): string => params[name] ?? '';

export const gatheringsRoutes: readonly FeatureRoute[] = [
  {
    pattern: '/communities',
    render: screen(
      () => import('./CommunitiesScreen').then((m) => m.CommunitiesScreen),
      () => ({}),
    ),
  },
  {
    pattern: '/communities/new',
    render: screen(
      () => import('./CommunitiesScreen').then((m) => m.NewCommunityScreen),
      () => ({}),
    ),
  },
  {
    pattern: '/communities/:communityId',
    render: screen(
      () => import('./CommunityScreen').then((m) => m.CommunityScreen),
      (p) => ({ communityId: param(p, 'communityId') }),
    ),
  },
  {
    pattern: '/communities/:communityId/events/new',
    render: screen(
      () => import('./EventFormScreen').then((m) => m.NewEventScreen),
      (p) => ({ communityId: param(p, 'communityId') }),
    ),
  },
  {
    pattern: '/events',
    render: screen(
      () => import('./EventsScreen').then((m) => m.EventsScreen),
      () => ({}),
    ),
  },
  {
    pattern: '/events/:eventId',
    render: screen(
      () => import('./EventScreen').then((m) => m.EventScreen),
      (p) => ({ eventId: param(p, 'eventId') }),
    ),
  },
  {
    pattern: '/events/:eventId/edit',
    render: screen(
      () => import('./EventFormScreen').then((m) => m.EditEventScreen),
      (p) => ({ eventId: param(p, 'eventId') }),
    ),
  },
  {
    pattern: '/events/:eventId/ticket',
    render: screen(
      () => import('./TicketScreen').then((m) => m.TicketScreen),
      (p) => ({ eventId: param(p, 'eventId') }),
    ),
  },
  {
    pattern: '/events/:eventId/check-in',
    render: screen(
      () => import('./CheckInScreen').then((m) => m.CheckInScreen),
      (p) => ({ eventId: param(p, 'eventId') }),
    ),
  },
];
