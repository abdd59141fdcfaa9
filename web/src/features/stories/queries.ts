// What the story and draft screens read from the replica's views (synced rows with this device's
// pending changes laid over them). Values are always bind parameters.

/** [SW6] Open drafts I author ($1 = my user id), newest change first, with their story if published. */
export const MY_DRAFTS_SQL = `
  select d.id, d.title, da.role, s.id as story_id,
         (extract(epoch from d.updated_at) * 1000)::float8 as updated_ms
    from drafts d
    join draft_authors da on da.draft_id = d.id and da.user_id = $1
    left join stories s on s.draft_id = d.id
   where d.status = 'open'
   order by d.updated_at desc, d.id`;

/** One draft ($1) with its story's id, if published. */
export const DRAFT_SQL = `
  select d.id, d.owner_id, d.title, d.community_id, d.language, d.visibility, d.content_warning, d.status,
         s.id as story_id
    from drafts d
    left join stories s on s.draft_id = d.id
   where d.id::text = $1`;

/** The authors of draft $1, the owner first, with their names. */
export const DRAFT_AUTHORS_SQL = `
  select da.user_id, da.role, coalesce(u.display_name, 'Someone') as display_name
    from draft_authors da
    left join users u on u.id = da.user_id
   where da.draft_id::text = $1
   order by (da.role = 'owner') desc, da.created_at, da.user_id`;

export const DRAFT_EMOTIONS_SQL = `select emotion_key from draft_emotions where draft_id::text = $1 order by emotion_key`;

export const DRAFT_TAGS_SQL = `select kind, label from draft_tags where draft_id::text = $1 order by kind, label`;

/** Communities I am an active member of ($1), for the draft's community. */
export const MY_COMMUNITIES_SQL = `
  select c.id, c.name
    from communities c
    join memberships m on m.community_id = c.id and m.user_id = $1 and m.status = 'active'
   order by c.name, c.id`;

/**
 * [SW8] People to invite ($1 = a name fragment, $2 = the draft): not yet authors, not deleted. The
 * fragment is matched as plain text (strpos, not LIKE: no wildcards, and no `%` in live queries,
 * which PGlite's live extension passes through format()).
 */
export const INVITE_CANDIDATES_SQL = `
  select u.id, u.display_name
    from users u
   where u.deleted_at is null
     and $1 <> ''
     and strpos(lower(u.display_name), lower($1)) > 0
     and not exists (select 1 from draft_authors da where da.draft_id = $2 and da.user_id = u.id)
   order by u.display_name, u.id
   limit 8`;

/** [SW12] The versions of the story of draft $1, newest first. */
export const STORY_VERSIONS_SQL = `
  select v.id, v.version, v.title, v.content_html, coalesce(u.display_name, 'Someone') as published_by_name,
         (extract(epoch from v.published_at) * 1000)::float8 as published_ms
    from story_versions v
    join stories s on s.id = v.story_id
    left join users u on u.id = v.published_by
   where s.draft_id::text = $1
   order by v.version desc`;

/** [SW4] One story ($1) to read, with its community and authors. */
export const STORY_SQL = `
  select s.id, s.draft_id, s.title, s.content_html, s.language, s.content_warning, s.visibility, s.status,
         s.current_version, c.name as community_name, s.community_id,
         (extract(epoch from s.published_at) * 1000)::float8 as published_ms,
         coalesce((select array_agg(coalesce(u.display_name, 'Someone') order by sa.position, u.display_name)
                     from story_authors sa left join users u on u.id = sa.user_id
                    where sa.story_id = s.id), '{}'::text[]) as authors
    from stories s
    left join communities c on c.id = s.community_id
   where s.id::text = $1`;

/** [SW4] The story's tags ($1) and emotions labelled in $2, for the header of the story. */
export const STORY_TAGS_SQL = `
  select 'emotion' as kind, se.emotion_key as value,
         coalesce(label.label, english.label, se.emotion_key) as label, e.position
    from story_emotions se
    left join emotions e on e.key = se.emotion_key
    left join emotion_labels label on label.emotion_key = se.emotion_key and label.locale = $2
    left join emotion_labels english on english.emotion_key = se.emotion_key and english.locale = 'en'
   where se.story_id = $1
  union all
  select t.kind::text, t.slug, t.label, 1000
    from story_tags st join tags t on t.id = st.tag_id
   where st.story_id = $1
   order by 1, 4, 3`;

/** [SW5] Reactions to story $1 (emotion keys, who chose them). */
export const STORY_REACTIONS_SQL = `
  select r.emotion_key as key, r.user_id from reactions r where r.story_id = $1 and r.emotion_key is not null`;
