// The draft's details (SPEC.md SW7): title, community, language, visibility, content warning,
// emotions from the vocabulary and free tags; checked here, saved with `updateDraft`.
import { useState, type FormEvent, type ReactNode } from 'react';
import { useView } from '../../db/views';
import { useMutate } from '../../outbox/react';
import { EMOTIONS_SQL, labelLocale } from './browse';
import {
  checkDraftForm,
  formOfDraft,
  type DraftForm,
  type DraftFormErrors,
  type DraftFormField,
  type DraftTag,
  type Visibility,
} from './draft-form';
import { localFailureText } from './failures';
import { DRAFT_EMOTIONS_SQL, DRAFT_TAGS_SQL, MY_COMMUNITIES_SQL } from './queries';
import { useRefusal } from './refused';

export interface DraftRowItem extends Record<string, unknown> {
  id: string;
  owner_id: string;
  title: string;
  community_id: string | null;
  language: string;
  visibility: Visibility;
  content_warning: string | null;
  status: string;
  story_id: string | null;
}

export function DraftDetails({ draft, userId }: { draft: DraftRowItem; userId: string }) {
  const emotions = useView<{ emotion_key: string }>(DRAFT_EMOTIONS_SQL, [draft.id]);
  const tags = useView<DraftTag & Record<string, unknown>>(DRAFT_TAGS_SQL, [draft.id]);
  if (emotions === undefined || tags === undefined) return null;
  return (
    <DetailsForm
      draft={draft}
      userId={userId}
      initial={formOfDraft(
        draft,
        emotions.map((row) => row.emotion_key),
        tags,
      )}
    />
  );
}

const VISIBILITIES: readonly { value: Visibility; label: string }[] = [
  { value: 'public', label: 'Everyone' },
  { value: 'community', label: 'Members of the community' },
  { value: 'private', label: 'Only its authors' },
];

function DetailsForm({
  draft,
  userId,
  initial,
}: {
  draft: DraftRowItem;
  userId: string;
  initial: DraftForm;
}) {
  const mutate = useMutate();
  const locale = labelLocale(navigator.language);
  const vocabulary = useView<{ key: string; label: string }>(EMOTIONS_SQL, [locale]) ?? [];
  const communities = useView<{ id: string; name: string }>(MY_COMMUNITIES_SQL, [userId]) ?? [];
  const [form, setForm] = useState<DraftForm>(initial);
  const [errors, setErrors] = useState<DraftFormErrors>({});
  const [saved, setSaved] = useState<string | null>(null);
  const [sentId, setSentId] = useState<string | null>(null);
  const refused = useRefusal(sentId);
  const set = <K extends DraftFormField>(field: K, value: DraftForm[K]) => {
    setForm((current) => ({ ...current, [field]: value }));
    setSaved(null);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const checked = checkDraftForm(draft.id, form);
    if (!checked.ok) {
      setErrors(checked.errors);
      const first = Object.keys(checked.errors)[0];
      if (first !== undefined) document.getElementById(`draft-${first}`)?.focus();
      return;
    }
    setErrors({});
    setSentId(null);
    try {
      setSentId((await mutate('updateDraft', checked.args)).id);
      setSaved('Saved on this device; it syncs to your co-authors.');
    } catch (failure) {
      setSaved(localFailureText(failure, 'The details could not be saved on this device; try again.'));
    }
  };
  const field = (name: DraftFormField, label: string, control: ReactNode, hint?: string) => (
    <div className="field" data-invalid={errors[name] !== undefined}>
      <label htmlFor={`draft-${name}`}>{label}</label>
      {control}
      {hint !== undefined && <p className="field-hint">{hint}</p>}
      {errors[name] !== undefined && (
        <p id={`draft-${name}-error`} className="field-error" role="alert">
          {errors[name]}
        </p>
      )}
    </div>
  );
  const described = (name: DraftFormField) => ({
    'aria-invalid': errors[name] !== undefined,
    'aria-describedby': errors[name] !== undefined ? `draft-${name}-error` : undefined,
  });
  return (
    <form
      className="draft-details card"
      aria-labelledby="details-title"
      onSubmit={(event) => void submit(event)}
    >
      <h2 id="details-title">Details</h2>
      {field(
        'title',
        'Title',
        <input
          id="draft-title"
          value={form.title}
          onChange={(e) => set('title', e.target.value)}
          {...described('title')}
        />,
      )}
      {field(
        'visibility',
        'Who can read it',
        <select
          id="draft-visibility"
          value={form.visibility}
          onChange={(e) => set('visibility', e.target.value as Visibility)}
        >
          {VISIBILITIES.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>,
      )}
      {field(
        'communityId',
        'Community',
        <select
          id="draft-communityId"
          value={form.communityId}
          onChange={(e) => set('communityId', e.target.value)}
          {...described('communityId')}
        >
          <option value="">None</option>
          {communities.map((community) => (
            <option key={community.id} value={community.id}>
              {community.name}
            </option>
          ))}
        </select>,
      )}
      {field(
        'language',
        'Language',
        <input
          id="draft-language"
          value={form.language}
          autoComplete="off"
          onChange={(e) => set('language', e.target.value)}
          {...described('language')}
        />,
        'A language code: en, es, sw, pt-BR…',
      )}
      {field(
        'contentWarning',
        'Content warning',
        <input
          id="draft-contentWarning"
          value={form.contentWarning}
          onChange={(e) => set('contentWarning', e.target.value)}
          {...described('contentWarning')}
        />,
        'Readers see it first and choose whether to read on. Leave empty for none.',
      )}
      <fieldset
        className="emotion-picker"
        aria-invalid={errors.emotions !== undefined}
        aria-describedby={errors.emotions !== undefined ? 'draft-emotions-error' : undefined}
      >
        <legend>Emotions</legend>
        {errors.emotions !== undefined && (
          <p id="draft-emotions-error" className="field-error" role="alert">
            {errors.emotions}
          </p>
        )}
        {vocabulary.map((emotion) => (
          <label key={emotion.key} className="emotion-option">
            <input
              type="checkbox"
              id={emotion.key === vocabulary[0]?.key ? 'draft-emotions' : undefined}
              checked={form.emotions.includes(emotion.key)}
              onChange={(e) =>
                set(
                  'emotions',
                  e.target.checked
                    ? [...form.emotions, emotion.key]
                    : form.emotions.filter((key) => key !== emotion.key),
                )
              }
            />
            {emotion.label}
          </label>
        ))}
      </fieldset>
      {field(
        'cultures',
        'Cultures',
        <input
          id="draft-cultures"
          value={form.cultures}
          onChange={(e) => set('cultures', e.target.value)}
          {...described('cultures')}
        />,
        'Separate with commas.',
      )}
      {field(
        'places',
        'Places',
        <input
          id="draft-places"
          value={form.places}
          onChange={(e) => set('places', e.target.value)}
          {...described('places')}
        />,
      )}
      {field(
        'languages',
        'Languages in the story',
        <input
          id="draft-languages"
          value={form.languages}
          onChange={(e) => set('languages', e.target.value)}
          {...described('languages')}
        />,
      )}
      <p className="actions">
        <button type="submit" className="button button-primary">
          Save details
        </button>
        {refused !== null ? (
          <span role="alert" className="field-error" data-testid="details-refused">
            Not saved: {refused}
          </span>
        ) : (
          saved !== null && (
            <span role="status" className="field-hint">
              {saved}
            </span>
          )
        )}
      </p>
    </form>
  );
}
