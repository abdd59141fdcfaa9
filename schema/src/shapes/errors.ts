// Error codes of the shape gateway (`GET /api/shapes/:name`), beside the shared ones in ../errors.ts
// (`unauthenticated`, `unavailable`…). Clients switch on the code, never on the message.
export const ShapeErrorCode = {
  /** No shape of that name in the catalogue. */
  unknownShape: 'unknown_shape',
  /** The request carried a shape-defining parameter (table, where, columns, params…): the server decides those. */
  shapeParamRefused: 'shape_param_refused',
  /** The upstream shape service could not be reached or answered something unusable. */
  upstreamFailed: 'shape_upstream_failed',
} as const;

export type ShapeErrorCode = (typeof ShapeErrorCode)[keyof typeof ShapeErrorCode];
