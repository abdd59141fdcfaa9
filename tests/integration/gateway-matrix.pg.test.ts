// The authorization matrix for SHAPES (sync-server/src/gateway/SPEC.md GW1, schema/src/shapes/SPEC.md):
// for every named shape and every role, the request is allowed or refused as specified, and the rows
// that arrive through the official `@electric-sql/client` are exactly the rows the role may see (each
// seeded row lists those roles by hand). No shape carries a never-synced column (electric-schema).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchError, Shape, ShapeStream, type Row } from '@electric-sql/client';
import { namedShapes, type NamedShape } from '@hearth/schema/shapes/index';
import { syncedColumnNames } from '@hearth/schema/table';
import {
  sessionCookie,
  startGatewayHarness,
  type GatewayHarness,
} from '@hearth/sync-server/gateway/test-support/harness';
import {
  expectedKeys,
  ROLES,
  seedWorld,
  type Role,
  type World,
} from '@hearth/sync-server/gateway/test-support/world';

let h: GatewayHarness;
let world: World;

beforeAll(async () => {
  h = await startGatewayHarness();
  world = await seedWorld(h.pool);
});

afterAll(async () => {
  await h?.close();
});

function headersOf(role: Role): Record<string, string> {
  return role === 'anonymous' ? {} : { cookie: sessionCookie(world.users[role].token) };
}

const keyOf = (shape: NamedShape, row: Row): string =>
  shape.table.primaryKey.map((column) => row[column] as string).join('/');

/** The shape's rows as the official client assembles them for `role`, once up to date. */
async function rowsFor(shape: NamedShape, role: Role): Promise<string[]> {
  const stream = new ShapeStream<Row>({
    url: h.shapeUrl(shape.name),
    headers: headersOf(role),
    subscribe: false,
  });
  const rows = await new Shape<Row>(stream as unknown as ConstructorParameters<typeof Shape<Row>>[0]).rows;
  stream.unsubscribeAll();
  return rows.map((row) => keyOf(shape, row)).sort();
}

describe('authorization matrix for named shapes', () => {
  it.each(namedShapes.map((shape) => [shape.name, shape] as const))(
    '[GW1] %s: each role is allowed or refused as specified, and receives exactly the rows it may see',
    async (_name, shape) => {
      for (const role of ROLES) {
        const response = await fetch(`${h.shapeUrl(shape.name)}?offset=-1`, { headers: headersOf(role) });
        const refused = role === 'anonymous' && shape.access === 'signed-in';
        if (refused) {
          expect(response.status, `${shape.name} for ${role}`).toBe(401);
          expect(await response.json()).toMatchObject({ code: 'unauthenticated' });
          continue;
        }
        expect(response.status, `${shape.name} for ${role}`).toBe(200);
        await response.body?.cancel();
        // [GW3] Only the table's synced columns, as the engine's schema header describes them.
        const schema = JSON.parse(response.headers.get('electric-schema') ?? '{}') as Record<string, unknown>;
        expect(Object.keys(schema)).toEqual(syncedColumnNames(shape.table));
        expect(await rowsFor(shape, role), `${shape.name} rows for ${role}`).toEqual(
          expectedKeys(world, shape.table.name, role),
        );
      }
    },
  );

  it('[GW1] an unknown shape name is a 404 with a typed code', async () => {
    for (const name of ['identities', 'sessions', 'nope', '__proto__', 'constructor']) {
      const response = await fetch(`${h.shapeUrl(name)}?offset=-1`, { headers: headersOf('admin') });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ code: 'unknown_shape' });
    }
  });

  it('[GW2] a client-sent table, where, columns or params is refused: Invariant 1', async () => {
    const attempts = [
      'table=identities',
      'where=true',
      "where=visibility::text = 'private'",
      'columns=id,storage_key',
      'params[1]=x',
      'replica=full',
      'subset__where=true',
    ];
    for (const attempt of attempts) {
      const response = await fetch(`${h.shapeUrl('communities')}?offset=-1&${attempt}`, {
        headers: headersOf('outsider'),
      });
      expect(response.status, attempt).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'shape_param_refused' });
    }
    // The official client sending its own where gets the refusal, and no rows.
    let failed!: (error: Error) => void;
    const refusal = new Promise<Error>((resolve) => (failed = resolve));
    const stream = new ShapeStream<Row>({
      url: h.shapeUrl('communities'),
      params: { where: "visibility::text = 'private'" },
      headers: headersOf('outsider'),
      subscribe: false,
      onError: (error) => {
        failed(error);
      },
    });
    const received: Row[] = [];
    stream.subscribe((messages) => {
      for (const message of messages) if ('value' in message) received.push(message.value);
    });
    const error = await refusal;
    expect(error).toBeInstanceOf(FetchError);
    expect((error as FetchError).status).toBe(400);
    expect(received).toEqual([]);
    stream.unsubscribeAll();
  });

  it('[GW5] public shapes keep shared caching; per-user answers are private and vary by cookie', async () => {
    const users = await fetch(`${h.shapeUrl('users')}?offset=-1`, { headers: headersOf('member') });
    expect(users.headers.get('cache-control')).toMatch(/^public, /);
    expect(users.headers.get('vary')).toBeNull();
    const anonymous = await fetch(`${h.shapeUrl('communities')}?offset=-1`);
    expect(anonymous.headers.get('cache-control')).toMatch(/^public, /);
    expect(anonymous.headers.get('vary')).toBe('Cookie');
    const member = await fetch(`${h.shapeUrl('communities')}?offset=-1`, { headers: headersOf('member') });
    expect(member.headers.get('cache-control')).toMatch(/^private, /);
    expect(member.headers.get('cache-control')).not.toMatch(/public|s-maxage/);
    expect(member.headers.get('vary')).toBe('Cookie');
    expect(member.headers.get('access-control-allow-origin')).toBeNull();
    for (const response of [users, anonymous, member]) await response.body?.cancel();
  });
});
