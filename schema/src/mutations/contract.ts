// The wire as data: the JSON Schema of the request, response and error bodies and of every
// mutation's args, under the protocol version. Committed as `wire.v<N>.json` (see wire.test.ts).
import { z } from 'zod';
import { mutations } from './index';
import {
  mutationErrorBody,
  mutationRequest,
  mutationResponse,
  MUTATION_LIMITS,
  MUTATION_PROTOCOL_VERSION,
} from './wire';

export const WIRE_SNAPSHOT_FILE = `wire.v${MUTATION_PROTOCOL_VERSION}.json`;

const asJsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

export function wireContract() {
  return {
    version: MUTATION_PROTOCOL_VERSION,
    limits: MUTATION_LIMITS,
    request: asJsonSchema(mutationRequest),
    response: asJsonSchema(mutationResponse),
    error: asJsonSchema(mutationErrorBody),
    args: Object.fromEntries(
      Object.values(mutations)
        .map((mutation) => [mutation.name, asJsonSchema(mutation.args)] as const)
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
  };
}
