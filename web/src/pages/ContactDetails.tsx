// The editable parts of one contact's page: adding and removing identities
// (the server normalizes them and says why one is refused), tags, custom
// field values, consent records (recorded and withdrawn, never deleted)
// and the notes, written in Markdown and shown rendered (safely: see
// markdown.tsx). Each editor sends one change and takes the contact the
// server answers with; readers (members, consultants) see the same data
// without the controls.
import { useEffect, useState } from 'preact/hooks';
import { api, type Contact, type CustomField } from '../api';
import { hasKey, type Key } from '../i18n';
import { errorText, formatTime, useI18n, type I18n } from '../i18n-context';
import { Alert, Field } from '../components';
import { Markdown } from '../markdown';

const IDENTITY_KINDS = ['email', 'phone', 'whatsapp', 'telegram', 'linkedin', 'facebook', 'instagram', 'x', 'website'] as const;

function tr(i18n: I18n, key: string, fallback: string): string {
  return hasKey(key) ? i18n.t(key as Key) : fallback;
}

interface EditorProps {
  contact: Contact;
  edit: boolean;
  onChange: (c: Contact) => void;
}

// ---------------------------------------------------------------- identities

export function IdentityEditor({ contact, onChange }: Omit<EditorProps, 'edit'>) {
  const i18n = useI18n();
  const { t } = i18n;
  const [kind, setKind] = useState<string>('email');
  const [value, setValue] = useState('');
  const [label, setLabel] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const add = async (e: Event) => {
    e.preventDefault();
    if (!value.trim()) {
      setError(t('val.required'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const answer = await api.addIdentity(contact.id, { kind, value: value.trim(), ...(label.trim() ? { label: label.trim() } : {}) });
      onChange(answer.contact);
      setValue('');
      setLabel('');
    } catch (err) {
      setError(errorText(i18n, err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (identityId: number) => {
    setError(null);
    try {
      await api.removeIdentity(contact.id, identityId);
      onChange({ ...contact, identities: (contact.identities ?? []).filter((x) => x.id !== identityId) });
    } catch (err) {
      setError(errorText(i18n, err));
    }
  };

  return (
    <div class="editor" data-testid="identity-editor">
      {(contact.identities ?? []).length > 0 && (
        <p class="chips">
          {(contact.identities ?? []).map((x) => (
            <button key={x.id} type="button" class="chip" onClick={() => void remove(x.id)} aria-label={t('cd.removeIdentity', { value: x.original || x.value })}>
              {x.original || x.value} <span aria-hidden="true">×</span>
            </button>
          ))}
        </p>
      )}
      <form class="inline-form" onSubmit={add} noValidate>
        <Field id="id-kind" label={t('cd.identityKind')}>
          {(aria) => (
            <select {...aria} value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
              {IDENTITY_KINDS.map((k) => (
                <option key={k} value={k}>
                  {tr(i18n, `idk.${k}`, k)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="id-value" label={t('cd.identityValue')} error={error}>
          {(aria) => <input {...aria} type="text" autoComplete="off" spellcheck={false} value={value} onInput={(e) => setValue(e.currentTarget.value)} />}
        </Field>
        <Field id="id-label" label={t('cd.identityLabel')}>
          {(aria) => <input {...aria} type="text" autoComplete="off" maxLength={200} value={label} onInput={(e) => setLabel(e.currentTarget.value)} />}
        </Field>
        <div class="form-actions">
          <button type="submit" class="btn" disabled={busy}>
            {t('cd.addIdentity')}
          </button>
        </div>
      </form>
    </div>
  );
}

// ---------------------------------------------------------------- tags

export function TagsSection({ contact, edit, onChange }: EditorProps) {
  const i18n = useI18n();
  const { t } = i18n;
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const tags = contact.tags ?? [];

  const change = async (body: { add?: string[]; remove?: string[] }) => {
    setBusy(true);
    setError(null);
    try {
      const answer = await api.changeTags(contact.id, body);
      onChange(answer.contact);
      if (body.add) setName('');
    } catch (err) {
      setError(errorText(i18n, err));
    } finally {
      setBusy(false);
    }
  };

  if (!edit && tags.length === 0) return null;
  return (
    <section aria-labelledby="ct-tags" data-testid="tags">
      <h2 class="h3" id="ct-tags">
        {t('ct.tags')}
      </h2>
      {tags.length > 0 ? (
        <p class="badges">
          {tags.map((tag) =>
            edit ? (
              <button key={tag} type="button" class="chip" disabled={busy} aria-label={t('cd.removeTag', { tag })} onClick={() => void change({ remove: [tag] })}>
                {tag} <span aria-hidden="true">×</span>
              </button>
            ) : (
              <span key={tag} class="badge">
                {tag}
              </span>
            ),
          )}
        </p>
      ) : (
        <p class="muted">{t('cd.noTags')}</p>
      )}
      {edit && (
        <form
          class="inline-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) void change({ add: [name.trim()] });
          }}
        >
          <Field id="tag-new" label={t('cd.newTag')} error={error}>
            {(aria) => <input {...aria} type="text" maxLength={64} autoComplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />}
          </Field>
          <div class="form-actions">
            <button type="submit" class="btn" disabled={busy || !name.trim()}>
              {t('cd.addTag')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

// ---------------------------------------------------------------- custom fields

export function FieldsSection({ contact, edit, onChange }: EditorProps) {
  const i18n = useI18n();
  const { t } = i18n;
  const [fields, setFields] = useState<CustomField[] | null>(null);
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api
      .fields()
      .then((l) => setFields(l.items))
      .catch(() => setFields([]));
  }, []);
  useEffect(() => {
    const v: Record<string, string> = {};
    for (const f of contact.custom_fields ?? []) v[f.name] = f.value;
    setValues(v);
  }, [contact]);

  if (fields === null || fields.length === 0) {
    if (!(contact.custom_fields ?? []).length) return null;
  }
  const current = new Map((contact.custom_fields ?? []).map((f) => [f.name, f.value]));

  const save = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, string | null> = {};
    for (const f of fields ?? []) {
      const now = (values[f.name] ?? '').trim();
      if (now !== (current.get(f.name) ?? '')) body[f.name] = now === '' ? null : now;
    }
    if (Object.keys(body).length === 0) return;
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const answer = await api.setFields(contact.id, body);
      onChange(answer.contact);
      setSaved(true);
    } catch (err) {
      setError(errorText(i18n, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="ct-fields" data-testid="custom-fields">
      <h2 class="h3" id="ct-fields">
        {t('cd.fields')}
      </h2>
      {!edit ? (
        <dl class="facts">
          {(contact.custom_fields ?? []).map((f) => (
            <div key={f.name}>
              <dt>{f.name}</dt>
              <dd>{f.value}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <form onSubmit={save} noValidate>
          {error && <Alert>{error}</Alert>}
          <div class="field-row three">
            {(fields ?? []).map((f) => (
              <Field key={f.id} id={`cf-${f.id}`} label={f.name}>
                {(aria) =>
                  f.type === 'choice' ? (
                    <select {...aria} value={values[f.name] ?? ''} onChange={(e) => setValues({ ...values, [f.name]: e.currentTarget.value })}>
                      <option value="">—</option>
                      {f.choices.map((c) => (
                        <option key={c} value={c}>
                          {c}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <input
                      {...aria}
                      type={f.type === 'date' ? 'date' : 'text'}
                      inputMode={f.type === 'number' ? 'decimal' : undefined}
                      value={values[f.name] ?? ''}
                      onInput={(e) => setValues({ ...values, [f.name]: e.currentTarget.value })}
                    />
                  )
                }
              </Field>
            ))}
          </div>
          <div class="form-actions">
            <button type="submit" class="btn" disabled={busy}>
              {busy ? t('common.saving') : t('cd.saveFields')}
            </button>
            {saved && <span class="muted">{t('common.saved')}</span>}
          </div>
        </form>
      )}
    </section>
  );
}

// ---------------------------------------------------------------- consents

export function ConsentsSection({ contact, edit, onChange, timeZone }: EditorProps & { timeZone: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [purpose, setPurpose] = useState('');
  const [source, setSource] = useState('');
  const [date, setDate] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const consents = contact.consents ?? [];

  const add = async (e: Event) => {
    e.preventDefault();
    if (!purpose.trim() || !source.trim()) {
      setError(t('cd.consentNeeds'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const given = date ? Date.parse(`${date}T12:00:00Z`) : undefined;
      const answer = await api.addConsent(contact.id, { purpose: purpose.trim(), source: source.trim(), ...(given ? { given_at: given } : {}) });
      onChange(answer.contact);
      setPurpose('');
      setSource('');
      setDate('');
    } catch (err) {
      setError(errorText(i18n, err));
    } finally {
      setBusy(false);
    }
  };

  const withdraw = async (id: number) => {
    setError(null);
    try {
      const answer = await api.withdrawConsent(contact.id, id);
      onChange(answer.contact);
    } catch (err) {
      setError(errorText(i18n, err));
    }
  };

  if (!edit && consents.length === 0) return null;
  return (
    <section aria-labelledby="ct-consents" data-testid="consents">
      <h2 class="h3" id="ct-consents">
        {t('cd.consents')}
      </h2>
      {consents.length === 0 ? (
        <p class="muted">{t('cd.noConsents')}</p>
      ) : (
        <ul class="plain-list">
          {consents.map((c) => (
            <li key={c.id} data-testid="consent">
              <strong>{c.purpose}</strong> · {c.source} · {t('cd.givenOn', { when: formatTime(i18n, c.given_at, timeZone) })}
              {c.withdrawn_at !== null ? (
                <span class="badge badge-off"> {t('cd.withdrawnOn', { when: formatTime(i18n, c.withdrawn_at, timeZone) })}</span>
              ) : (
                edit && (
                  <button type="button" class="btn btn-small" onClick={() => void withdraw(c.id)}>
                    {t('cd.withdraw')}
                  </button>
                )
              )}
            </li>
          ))}
        </ul>
      )}
      {edit && (
        <form class="inline-form" onSubmit={add} noValidate>
          {error && <Alert>{error}</Alert>}
          <Field id="consent-purpose" label={t('cd.purpose')} hint={t('cd.purposeHint')}>
            {(aria) => <input {...aria} type="text" maxLength={200} autoComplete="off" value={purpose} onInput={(e) => setPurpose(e.currentTarget.value)} />}
          </Field>
          <Field id="consent-source" label={t('cd.source')} hint={t('cd.sourceHint')}>
            {(aria) => <input {...aria} type="text" maxLength={200} autoComplete="off" value={source} onInput={(e) => setSource(e.currentTarget.value)} />}
          </Field>
          <Field id="consent-date" label={t('cd.givenDate')}>
            {(aria) => <input {...aria} type="date" value={date} onInput={(e) => setDate(e.currentTarget.value)} />}
          </Field>
          <div class="form-actions">
            <button type="submit" class="btn" disabled={busy}>
              {t('cd.recordConsent')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

// ---------------------------------------------------------------- notes

export function NotesSection({ contact, edit, onChange }: EditorProps) {
  const i18n = useI18n();
  const { t } = i18n;
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(contact.notes ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await api.updateContact(contact.id, { notes: text });
      onChange({ ...contact, ...answer.contact });
      setEditing(false);
    } catch (err) {
      setError(errorText(i18n, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="ct-notes" data-testid="notes">
      <h2 class="h3" id="ct-notes">
        {t('ct.notes')}
      </h2>
      {editing ? (
        <form onSubmit={save} noValidate>
          {error && <Alert>{error}</Alert>}
          <div class="field">
            <label for="notes-text">{t('cd.notesLabel')}</label>
            <textarea id="notes-text" rows={8} value={text} onInput={(e) => setText(e.currentTarget.value)} aria-describedby="notes-hint" />
            <p class="hint" id="notes-hint">
              {t('cd.notesHint')}
            </p>
          </div>
          <div class="form-actions">
            <button type="submit" class="btn btn-primary" disabled={busy}>
              {busy ? t('common.saving') : t('common.save')}
            </button>
            <button type="button" class="btn" onClick={() => setEditing(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      ) : (
        <>
          {contact.notes ? <Markdown text={contact.notes} class="notes markdown" /> : <p class="muted">{t('ct.noNotes')}</p>}
          {edit && (
            <button
              type="button"
              class="btn btn-small"
              onClick={() => {
                setText(contact.notes ?? '');
                setEditing(true);
              }}
            >
              {t('cd.editNotes')}
            </button>
          )}
        </>
      )}
    </section>
  );
}
