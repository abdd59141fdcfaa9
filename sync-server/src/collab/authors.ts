// Who may join a draft's room (SPEC.md CO1, CO2): its authors (owner and co-authors) with a live
// account. The display name shown in presence comes from here, never from the client.
import type pg from 'pg';

export interface DraftAuthor {
  readonly displayName: string;
}

export async function findAuthor(
  db: Pick<pg.ClientBase, 'query'>,
  draftId: string,
  userId: string,
): Promise<DraftAuthor | null> {
  const { rows } = await db.query<{ display_name: string }>(
    `select u.display_name
       from draft_authors a join users u on u.id = a.user_id
      where a.draft_id = $1 and a.user_id = $2 and u.deleted_at is null`,
    [draftId, userId],
  );
  const row = rows[0];
  return row === undefined ? null : { displayName: row.display_name };
}
