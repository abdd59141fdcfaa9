// A table with one column of each type the where-clause subset knows, shared by the engine's unit tests.
import type { TableSchema } from '../table-schema';

export const items: TableSchema = {
  schema: 'public',
  name: 'items',
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'int8' },
    { name: 'n', type: 'int4' },
    { name: 'price', type: 'numeric' },
    { name: 'ratio', type: 'float8' },
    { name: 'f4', type: 'float4' },
    { name: 'title', type: 'text' },
    { name: 'code', type: 'bpchar' },
    { name: 'done', type: 'bool' },
    { name: 'uid', type: 'uuid' },
    { name: 'at', type: 'timestamptz' },
    { name: 'local', type: 'timestamp' },
    { name: 'day', type: 'date' },
    { name: 'mood', type: 'mood', isEnum: true },
    { name: 'data', type: 'jsonb' },
    { name: 'Has Space', type: 'text' },
  ],
};
