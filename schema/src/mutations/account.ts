// Mutations on the signed-in person's own account: profile, blocks. Rules MU9..MU11 in
// sync-server/src/writes/SPEC.md.
import { z } from 'zod';
import { ErrorCode } from '../errors';
import { defineMutation, guess, reject, type RowChange } from './define';
import { existingId, line, locale, newId, prose, timeZone } from './fields';

const atLeastOne = (args: Record<string, unknown>) =>
  Object.values(args).some((value) => value !== undefined);

/** [MU9] A person edits their own public profile only; the server stamps updated_at. */
export const updateProfile = defineMutation({
  name: 'updateProfile',
  args: z
    .strictObject({
      displayName: line(80).optional(),
      bio: prose(2000).optional(),
      locale: locale.optional(),
      timeZone: timeZone.optional(),
    })
    .refine(atLeastOne, 'give at least one of displayName, bio, locale, timeZone'),
  async apply(tx, args, ctx) {
    const { rowCount } = await tx.query(
      `update users set
         display_name = coalesce($2, display_name),
         bio = coalesce($3, bio),
         locale = coalesce($4, locale),
         time_zone = coalesce($5, time_zone),
         updated_at = $6
       where id = $1 and deleted_at is null`,
      [
        ctx.userId,
        args.displayName ?? null,
        args.bio ?? null,
        args.locale ?? null,
        args.timeZone ?? null,
        ctx.now,
      ],
    );
    if (rowCount !== 1) reject(ErrorCode.notFound, 'Your account no longer exists.');
  },
  async optimistic(args, ctx, local) {
    const user = await local.get('users', ctx.userId);
    if (!user) return [];
    return [
      {
        table: 'users',
        op: 'upsert',
        row: {
          ...user,
          display_name: args.displayName ?? user.display_name,
          bio: args.bio ?? user.bio,
          locale: args.locale ?? user.locale,
          time_zone: args.timeZone ?? user.time_zone,
          updated_at: ctx.now.toISOString(),
        },
      },
    ];
  },
});

/** [MU10] Blocking someone (not yourself) also ends follows between the two; blocking twice is a no-op. */
export const blockUser = defineMutation({
  name: 'blockUser',
  args: z.strictObject({ userId: existingId, blockId: newId }),
  async authorize(tx, args, ctx) {
    if (args.userId === ctx.userId) reject(ErrorCode.validationFailed, 'userId: you cannot block yourself.');
    const { rows } = await tx.query(`select 1 from users where id = $1 and deleted_at is null`, [
      args.userId,
    ]);
    if (rows.length === 0) reject(ErrorCode.notFound, 'This person does not exist.');
  },
  async apply(tx, args, ctx) {
    await tx.query(
      `insert into blocks (id, blocker_id, blocked_id, created_at) values ($1, $2, $3, $4)
       on conflict (blocker_id, blocked_id) do nothing`,
      [args.blockId, ctx.userId, args.userId, ctx.now],
    );
    await tx.query(
      `delete from follows
       where (follower_id = $1 and followed_user_id = $2) or (follower_id = $2 and followed_user_id = $1)`,
      [ctx.userId, args.userId],
    );
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      if (args.userId === ctx.userId) return [];
      const existing = await local.find('blocks', { blocker_id: ctx.userId, blocked_id: args.userId });
      if (existing.length > 0) return [];
      const follows = await local.find('follows', { follower_id: ctx.userId, followed_user_id: args.userId });
      const changes: RowChange[] = [
        {
          table: 'blocks',
          op: 'upsert',
          row: {
            id: args.blockId,
            blocker_id: ctx.userId,
            blocked_id: args.userId,
            created_at: ctx.now.toISOString(),
          },
        },
      ];
      for (const row of follows) changes.push({ table: 'follows', op: 'delete', row });
      return changes;
    }),
});

/** [MU11] Unblocking removes the block if there is one; otherwise nothing happens. */
export const unblockUser = defineMutation({
  name: 'unblockUser',
  args: z.strictObject({ userId: existingId }),
  async apply(tx, args, ctx) {
    await tx.query(`delete from blocks where blocker_id = $1 and blocked_id = $2`, [ctx.userId, args.userId]);
  },
  async optimistic(args, ctx, local) {
    const rows = await local.find('blocks', { blocker_id: ctx.userId, blocked_id: args.userId });
    return rows.map((row): RowChange => ({ table: 'blocks', op: 'delete', row }));
  },
});
