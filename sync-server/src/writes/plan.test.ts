// Batch planning is pure (SPEC WP3): a body in, the mutations to run or the one 400 that refuses all.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@hearth/schema/errors';
import { newId } from '@hearth/schema/ids';
import { mutationNamed, mutations } from '@hearth/schema/mutations/index';
import { planBatch } from './plan';

const call = (name: string, args: unknown, id = newId()) => ({ id, name, args });

describe('planBatch', () => {
  it('[WP3] plans every mutation in order with its args parsed by its own schema', () => {
    const first = call('updateProfile', { displayName: '  Ada ', timeZone: 'utc' });
    const second = call('unfollowCommunity', { communityId: newId() });
    const plan = planBatch({ mutations: [first, second] }, mutationNamed);
    expect(plan).toEqual({
      ok: true,
      steps: [
        {
          id: first.id,
          name: 'updateProfile',
          mutation: mutations.updateProfile,
          args: { displayName: 'Ada', timeZone: 'UTC' },
        },
        {
          id: second.id,
          name: 'unfollowCommunity',
          mutation: mutations.unfollowCommunity,
          args: second.args,
        },
      ],
    });
  });

  it('[WP3] one bad mutation refuses the whole batch, naming its field and its id', () => {
    const good = call('updateProfile', { bio: 'ok' });
    const bad = call('updateProfile', { displayName: 'x'.repeat(81) });
    const plan = planBatch({ mutations: [good, bad] }, mutationNamed);
    expect(plan.ok).toBe(false);
    if (plan.ok) return;
    expect(plan.error.code).toBe(ErrorCode.validationFailed);
    expect(plan.error.message).toMatch(/^mutations\[1\]\.args\.displayName: /);
    expect(plan.error.mutationId).toBe(bad.id);
  });

  it('[WP3] unknown names are unknown_mutation, prototype names included', () => {
    for (const name of ['deleteEverything', 'constructor', '__proto__', 'toString']) {
      const plan = planBatch({ mutations: [call(name, {})] }, mutationNamed);
      expect(plan.ok ? undefined : plan.error.code, name).toBe(ErrorCode.unknownMutation);
    }
  });

  it('[WP3] more than 100 mutations is batch_too_large', () => {
    const many = Array.from({ length: 101 }, () => call('updateProfile', { bio: '' }));
    const plan = planBatch({ mutations: many }, mutationNamed);
    expect(plan.ok ? undefined : plan.error.code).toBe(ErrorCode.batchTooLarge);
  });

  it('[WP3] an id used twice in one batch is refused', () => {
    const id = newId();
    const plan = planBatch(
      { mutations: [call('updateProfile', { bio: 'a' }, id), call('updateProfile', { bio: 'b' }, id)] },
      mutationNamed,
    );
    expect(plan.ok ? undefined : plan.error.message).toBe(
      'mutations[1].id: the same id as mutations[0]; each mutation needs its own id.',
    );
  });

  it('[WP3] forbidden keys anywhere refuse the batch with their path', () => {
    const body: unknown = JSON.parse(
      `{"mutations":[{"id":"${newId()}","name":"updateProfile","args":{"bio":"x","__proto__":{"admin":true}}}]}`,
    );
    const plan = planBatch(body, mutationNamed);
    expect(plan.ok ? undefined : plan.error).toMatchObject({
      code: ErrorCode.validationFailed,
      message: 'mutations[0].args.__proto__: keys named __proto__, constructor or prototype are not allowed.',
    });
  });

  it('[WP3] bodies that are not the envelope are validation_failed with the field named', () => {
    const cases: [unknown, RegExp][] = [
      [undefined, /^\(body\): /],
      ['text', /^\(body\): /],
      [[], /^\(body\): /],
      [{}, /^mutations: /],
      [{ mutations: [], extra: true }, /^\(body\): |^mutations: /],
      [{ mutations: [{ id: 'not-a-uuid', name: 'updateProfile', args: {} }] }, /^mutations\[0\]\.id: /],
      [{ mutations: [{ id: newId(), name: 7, args: {} }] }, /^mutations\[0\]\.name: /],
    ];
    for (const [body, message] of cases) {
      const plan = planBatch(body, mutationNamed);
      expect(plan.ok, JSON.stringify(body)).toBe(false);
      if (plan.ok) continue;
      expect(plan.error.code).toBe(ErrorCode.validationFailed);
      expect(plan.error.message).toMatch(message);
    }
  });
});
