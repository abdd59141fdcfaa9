// The feature screens the shell routes to, in match order. Each feature keeps its own table
// (web/src/features/<feature>/routes.tsx) and adds one line here.
import type { FeatureRoute } from './router';
import { storiesRoutes } from '../features/stories/routes';
import { gatheringsRoutes } from '../features/gatherings/routes';

export const featureRoutes: readonly FeatureRoute[] = [...storiesRoutes, ...gatheringsRoutes];
