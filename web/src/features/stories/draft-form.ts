// The draft's metadata form (SPEC.md SW7): the synced rows -> what the form shows, and the form -> the
// `updateDraft` args, with what is wrong said per field before anything is sent. Pure.
import { DRAFT_EMOTIONS_MAX, DRAFT_TAGS_MAX } from '@hearth/schema/mutations/drafts';
import { normalizeTag, TAG_LABEL_MAX, type TagKind } from '@hearth/schema/stories/tags';

export type Visibility = 'public' | 'community' | 'private';

export interface DraftForm {
  readonly title: string;
  /** '' = no community. */
  readonly communityId: string;
  readonly language: string;
  readonly visibility: Visibility;
  readonly contentWarning: string;
  readonly emotions: readonly string[];
  /** Free tags as typed: comma separated labels. */
  readonly cultures: string;
  readonly places: string;
  readonly languages: string;
}

export type DraftFormField = keyof DraftForm;
export type DraftFormErrors = Partial<Record<DraftFormField, string>>;

export interface DraftMeta {
  readonly title: string;
  readonly community_id: string | null;
  readonly language: string;
  readonly visibility: Visibility;
  readonly content_warning: string | null;
}

export interface DraftTag {
  readonly kind: TagKind;
  readonly label: string;
}

export interface UpdateDraftArgs {
  readonly draftId: string;
  readonly title: string;
  readonly communityId: string | null;
  readonly language: string;
  readonly visibility: Visibility;
  readonly contentWarning: string | null;
  readonly emotions: string[];
  readonly tags: { kind: TagKind; label: string }[];
}

export const TITLE_MAX = 200;
export const WARNING_MAX = 200;
const TAG_FIELDS = { cultures: 'culture', places: 'place', languages: 'language' } as const;

/** [SW7] What the form shows for a draft as the replica holds it. */
export function formOfDraft(
  draft: DraftMeta,
  emotions: readonly string[],
  tags: readonly DraftTag[],
): DraftForm {
  const labels = (kind: TagKind) =>
    tags
      .filter((tag) => tag.kind === kind)
      .map((tag) => tag.label)
      .join(', ');
  return {
    title: draft.title,
    communityId: draft.community_id ?? '',
    language: draft.language,
    visibility: draft.visibility,
    contentWarning: draft.content_warning ?? '',
    emotions: [...emotions],
    cultures: labels('culture'),
    places: labels('place'),
    languages: labels('language'),
  };
}

/** [SW7] Comma separated labels -> tags, one per slug (the first spelling kept), or the first bad label. */
export function splitTags(kind: TagKind, text: string): { tags: DraftTag[]; error: string | null } {
  const tags: DraftTag[] = [];
  const slugs = new Set<string>();
  for (const part of text.split(/[,،、，]/u)) {
    const tag = normalizeTag(kind, part);
    if (tag.label === '') continue;
    if ([...tag.label].length > TAG_LABEL_MAX)
      return { tags, error: `"${tag.label.slice(0, 20)}…" is longer than ${TAG_LABEL_MAX} characters.` };
    if (tag.slug === '') return { tags, error: `"${tag.label}" needs at least one letter or digit.` };
    if (slugs.has(tag.slug)) continue;
    slugs.add(tag.slug);
    tags.push({ kind, label: tag.label });
  }
  return { tags, error: null };
}

const LANGUAGE_TAG = /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i;

/** [SW7] The form as `updateDraft` args, or what to fix, field by field. */
export function checkDraftForm(
  draftId: string,
  form: DraftForm,
): { ok: true; args: UpdateDraftArgs } | { ok: false; errors: DraftFormErrors } {
  const errors: DraftFormErrors = {};
  const title = form.title.replace(/\s+/g, ' ').trim();
  if ([...title].length > TITLE_MAX) errors.title = `A title can be at most ${TITLE_MAX} characters.`;
  const language = form.language.trim();
  if (!LANGUAGE_TAG.test(language) || language.length > 35)
    errors.language = 'Use a language code such as "en", "es" or "pt-BR".';
  if (form.visibility === 'community' && form.communityId === '')
    errors.communityId = 'Pick the community that may read it, or choose another visibility.';
  const contentWarning = form.contentWarning.trim();
  if ([...contentWarning].length > WARNING_MAX)
    errors.contentWarning = `A content warning can be at most ${WARNING_MAX} characters.`;
  const emotions = [...new Set(form.emotions)];
  if (emotions.length > DRAFT_EMOTIONS_MAX)
    errors.emotions = `Pick at most ${DRAFT_EMOTIONS_MAX} emotions; ${emotions.length} are picked.`;
  const tags: DraftTag[] = [];
  for (const [field, kind] of Object.entries(TAG_FIELDS) as [keyof typeof TAG_FIELDS, TagKind][]) {
    const split = splitTags(kind, form[field]);
    if (split.error !== null) errors[field] = split.error;
    else if (tags.length <= DRAFT_TAGS_MAX && tags.length + split.tags.length > DRAFT_TAGS_MAX)
      errors[field] = `A story can have at most ${DRAFT_TAGS_MAX} cultures, places and languages together.`;
    tags.push(...split.tags);
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    args: {
      draftId,
      title,
      communityId: form.communityId === '' ? null : form.communityId,
      language,
      visibility: form.visibility,
      contentWarning: contentWarning === '' ? null : contentWarning,
      emotions,
      tags,
    },
  };
}
