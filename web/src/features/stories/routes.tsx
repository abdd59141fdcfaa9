// The stories screens (SPEC.md SW1): browse, read, my drafts, a draft. Each screen is a lazy chunk,
// so the app's first load stays small; the editor inside a draft is a chunk of its own.
import { lazy, Suspense, type ReactNode } from 'react';
import type { FeatureRoute } from '../../app/router';
import { ReplicaProvider } from '../../db/views';
import { useHearth } from '../../outbox/react';

const StoriesScreen = lazy(() => import('./StoriesScreen'));
const StoryScreen = lazy(() => import('./StoryScreen'));
const DraftsScreen = lazy(() => import('./DraftsScreen'));
const DraftScreen = lazy(() => import('./DraftScreen'));

const loading = <p className="stories-loading">Opening…</p>;

/** The replica's live queries for the screens below, and a line while their chunk loads. */
function StoriesShell({ children }: { children: ReactNode }) {
  const { replica } = useHearth();
  return (
    <ReplicaProvider replica={replica} fallback={loading}>
      <Suspense fallback={loading}>{children}</Suspense>
    </ReplicaProvider>
  );
}

export const storiesRoutes: readonly FeatureRoute[] = [
  {
    pattern: '/stories',
    render: () => (
      <StoriesShell>
        <StoriesScreen />
      </StoriesShell>
    ),
  },
  {
    pattern: '/stories/:storyId',
    render: ({ storyId = '' }) => (
      <StoriesShell>
        <StoryScreen key={storyId} storyId={storyId} />
      </StoriesShell>
    ),
  },
  {
    pattern: '/drafts',
    render: () => (
      <StoriesShell>
        <DraftsScreen />
      </StoriesShell>
    ),
  },
  {
    pattern: '/drafts/:draftId',
    render: ({ draftId = '' }) => (
      <StoriesShell>
        <DraftScreen key={draftId} draftId={draftId} />
      </StoriesShell>
    ),
  },
];
