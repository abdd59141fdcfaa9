// RSVP mutations: answer (going / maybe / not going, with +1 guests) and a host's decision on an
// approval-required event. Seats are decided on the server with the event row locked, so concurrent
// answers are decided one after another; whatever frees seats promotes the waitlist in the same
// transaction. Rules GA10–GA15 in sync-server/src/gatherings/SPEC.md; the arithmetic in ./rsvps-rules.
import { z } from 'zod';
import { ErrorCode } from '../errors';
import type { RsvpRow } from '../tables/gatherings';
import { defineMutation, guess, reject, type MutationContext, type Tx } from './define';
import { canSeeEvent, requireEventVisible, requireManager, requireOpen } from './events-rules';
import {
  largestPosition,
  localEventContext,
  promoteWaitlist,
  readEventContext,
  rsvpSituation,
  seatCounts,
  type EventContext,
} from './events-sql';
import { existingId, newId } from './fields';
import {
  decideAnswer,
  decideApproval,
  guessRsvpStatus,
  nextPosition,
  requireGuestLimit,
  type RsvpDecision,
} from './rsvps-rules';

type OwnRsvp = Pick<RsvpRow, 'id' | 'status' | 'guests' | 'waitlist_position'>;

async function positionFor(tx: Tx, eventId: string, decision: RsvpDecision, own: OwnRsvp | null) {
  if (decision.position === 'keep')
    return own?.waitlist_position ?? nextPosition(await largestPosition(tx, eventId));
  if (decision.position === 'next') return nextPosition(await largestPosition(tx, eventId));
  return null;
}

async function lockedEvent(tx: Tx, eventId: string, ctx: MutationContext): Promise<EventContext> {
  const found = await readEventContext(tx, eventId, ctx.userId, true);
  requireEventVisible(found?.event, found?.standing ?? { membership: null, hostRole: null });
  return found as EventContext;
}

/**
 * [GA10] Answer an event you can see (GA1) that is scheduled and not over (GA7), with guests up to
 * its limit (GA11). One RSVP per person per event: answering again changes it.
 */
export const setRsvp = defineMutation({
  name: 'setRsvp',
  args: z.strictObject({
    eventId: existingId,
    /** The id of the RSVP row when this is the person's first answer (otherwise theirs is changed). */
    rsvpId: newId,
    status: z.enum(['going', 'maybe', 'not_going']),
    guests: z.int().min(0).max(20).default(0),
  }),
  async authorize(tx, args, ctx) {
    const { event } = await lockedEvent(tx, args.eventId, ctx);
    requireOpen(event, ctx.now);
    const guests = args.status === 'not_going' ? 0 : args.guests;
    requireGuestLimit(guests, event.guest_limit);
    // Every RSVP writer of this event holds its row lock, so this read stays true until commit.
    const { own, seats, waiting, largest } = await rsvpSituation(tx, args.eventId, ctx.userId);
    const decision = decideAnswer(args.status, guests, {
      capacity: event.capacity,
      requiresApproval: event.requires_approval,
      othersSeats: seats,
      othersWaiting: waiting,
      own,
    });
    return { event, own, guests, decision, largest };
  },
  async apply(tx, args, ctx, { event, own, guests, decision, largest }) {
    const position =
      decision.position === 'keep'
        ? (own?.waitlist_position ?? nextPosition(largest))
        : decision.position === 'next'
          ? nextPosition(largest)
          : null;
    if (own) {
      await tx.query(
        `update rsvps set status = $2, guests = $3, waitlist_position = $4, updated_at = $5 where id = $1`,
        [own.id, decision.status, guests, position, ctx.now],
      );
    } else {
      const inserted = await tx.query(
        `insert into rsvps (id, event_id, user_id, status, guests, waitlist_position, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $7) on conflict (id) do nothing returning id`,
        [args.rsvpId, args.eventId, ctx.userId, decision.status, guests, position, ctx.now],
      );
      if (inserted.rows.length === 0) reject(ErrorCode.conflict, 'rsvpId: this id is already used.');
    }
    // [GA13] Leaving, bringing fewer guests, or leaving the line may let its head in.
    if (own?.status === 'going' || own?.status === 'waitlisted') await promoteWaitlist(tx, event, ctx.now);
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const { event, standing } = await localEventContext(local, args.eventId, ctx.userId);
      if (event) {
        if (!canSeeEvent(event, standing)) return [];
        requireOpen(event, ctx.now);
        requireGuestLimit(args.status === 'not_going' ? 0 : args.guests, event.guest_limit);
      }
      const [own] = await local.find('rsvps', { event_id: args.eventId, user_id: ctx.userId });
      const status = guessRsvpStatus(args.status, event, own);
      const now = ctx.now.toISOString();
      const row: RsvpRow = {
        id: own?.id ?? args.rsvpId,
        event_id: args.eventId,
        user_id: ctx.userId,
        status,
        guests: args.status === 'not_going' ? 0 : args.guests,
        waitlist_position: status === 'waitlisted' ? (own?.waitlist_position ?? null) : null,
        decided_by: own?.decided_by ?? null,
        created_at: own?.created_at ?? now,
        updated_at: now,
      };
      return [{ table: 'rsvps', op: 'upsert', row }];
    }),
});

/**
 * [GA12] Managers decide: approve a pending RSVP (going when it fits and nobody waits, else
 * waitlisted), or decline any answer (-> not_going, which frees its seats for the waitlist).
 */
export const decideRsvp = defineMutation({
  name: 'decideRsvp',
  args: z.strictObject({ rsvpId: existingId, decision: z.enum(['approve', 'decline']) }),
  async authorize(tx, args, ctx) {
    const found = await tx.query<{ event_id: string }>(`select event_id from rsvps where id = $1`, [
      args.rsvpId,
    ]);
    const eventId = found.rows[0]?.event_id;
    if (eventId === undefined) return reject(ErrorCode.notFound, 'rsvpId: there is no such RSVP.');
    const { event, standing } = await lockedEvent(tx, eventId, ctx);
    requireManager(standing);
    if (event.status === 'cancelled') reject(ErrorCode.eventCancelled, 'This event was cancelled.');
    const { rows } = await tx.query<OwnRsvp & { user_id: string }>(
      `select id, user_id, status, guests, waitlist_position from rsvps where id = $1 for update`,
      [args.rsvpId],
    );
    const rsvp = rows[0];
    if (!rsvp) return reject(ErrorCode.notFound, 'rsvpId: there is no such RSVP.');
    if (args.decision === 'approve') {
      if (rsvp.status !== 'pending') reject(ErrorCode.conflict, 'This RSVP is not waiting for approval.');
      const others = await seatCounts(tx, eventId, rsvp.user_id);
      return {
        event,
        rsvp,
        decision: decideApproval(event.capacity, others.seats, others.waiting, rsvp.guests),
      };
    }
    if (rsvp.status === 'not_going') reject(ErrorCode.conflict, 'This person is already not going.');
    return { event, rsvp, decision: { status: 'not_going', position: null } satisfies RsvpDecision };
  },
  async apply(tx, _args, ctx, { event, rsvp, decision }) {
    const position = await positionFor(tx, event.id, decision, null);
    await tx.query(
      `update rsvps set status = $2, waitlist_position = $3, decided_by = $4, updated_at = $5 where id = $1`,
      [rsvp.id, decision.status, position, ctx.userId, ctx.now],
    );
    await promoteWaitlist(tx, event, ctx.now);
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const rsvp = await local.get('rsvps', args.rsvpId);
      if (!rsvp) return [];
      const { event, standing } = await localEventContext(local, rsvp.event_id, ctx.userId);
      if (!event) return [];
      requireManager(standing);
      // Approving: whether a seat is left is the server's to say; the RSVP shows pending until then.
      if (args.decision === 'approve') return [];
      const row = {
        ...rsvp,
        status: 'not_going' as const,
        waitlist_position: null,
        decided_by: ctx.userId,
        updated_at: ctx.now.toISOString(),
      };
      return [{ table: 'rsvps', op: 'upsert', row }];
    }),
});
