// The shape catalogue: which rows of each synced table a viewer may read (SPEC.md). Pure, no IO; the
// gateway (sync-server/src/gateway) loads the facts and serves the shapes.
export { namedShapes, shapeNamed, SHAPE_NAMES, type NamedShape, type ShapeAccess } from './catalogue';
export { ShapeErrorCode } from './errors';
export { factsNeeded, factsQuery, type FactsQuery } from './facts';
export {
  canonicalQuery,
  idList,
  shapeFacts,
  shapeQuery,
  visibilityFingerprint,
  type ShapeQuery,
} from './query';
export { rules } from './rules';
export {
  BASE_FACTS,
  DERIVED_FACTS,
  FACT_ORDER,
  kindOf,
  type FactName,
  type Facts,
  type Rule,
  type Terms,
  type Viewer,
  type ViewerKind,
} from './terms';
