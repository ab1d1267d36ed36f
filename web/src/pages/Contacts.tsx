// Contacts: the small form to add a contact (the list that shows it is in
// ContactList.tsx) and one contact's page (how to reach them, explained
// strength, stage, timeline and the form that logs a call, meeting or note).
// Agents and up edit, managers and up delete; members and consultants read.
// The server enforces the same rules; the UI only hides what would be refused.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, CONTACT_TYPES, STAGES, type Contact, type Identity, type Role, type TimelineEntry } from '../api';
import { hasKey, type Key } from '../i18n';
import { errorText, formatTime, useI18n, type I18n } from '../i18n-context';
import { useSession } from '../session';
import { Link, useRouter } from '../router';
import { Alert, ConfirmDialog, Field, PageTitle, Spinner, Status } from '../components';
import { EMAIL_RE, focusFirstInvalid, hasErrors, noErrors, type FormErrors } from '../forms';
import { Memberships } from './Memberships';
import { ConsentsSection, FieldsSection, IdentityEditor, NotesSection, TagsSection } from './ContactDetails';

const RANK: Record<Role, number> = { consultant: 0, member: 0, agent: 1, manager: 2, owner: 3 };
export const canEdit = (role: Role) => RANK[role] >= 1;
export const canDelete = (role: Role) => RANK[role] >= 2;
/** Managers and owners export (consultants read as managers); the server says the same. */
export const canExport = (role: Role) => RANK[role] >= 2 || role === 'consultant';

/** A translation for a key built at run time, or the raw value when unknown. */
export function tr(i18n: I18n, key: string, fallback: string): string {
  return hasKey(key) ? i18n.t(key as Key) : fallback;
}

export const stageName = (i18n: I18n, s: string) => tr(i18n, `stage.${s}`, s);
export const typeName = (i18n: I18n, s: string) => tr(i18n, `ctype.${s}`, s);

export function Strength({ value }: { value: number | null }) {
  const { t } = useI18n();
  if (value === null) return <span class="muted small">{t('ct.noStrength')}</span>;
  return (
    <span class="strength" title={t('ct.strengthOf', { n: value })}>
      <span class="strength-bar" aria-hidden="true">
        <span style={{ width: `${Math.max(0, Math.min(100, value))}%` }} />
      </span>
      <span class="visually-hidden">{t('ct.strengthOf', { n: value })}</span>
      <span aria-hidden="true">{value}</span>
    </span>
  );
}

// The list itself is in ContactList.tsx.

export function NewContactForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (c: Contact) => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { navigate } = useRouter();
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'person' | 'organization'>('person');
  const [stage, setStage] = useState('lead');
  const [type, setType] = useState('');
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    formRef.current?.querySelector<HTMLInputElement>('#nc-name')?.focus();
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const fields: Record<string, string> = {};
    if (!name.trim()) fields.name = t('val.required');
    if (email.trim() && !EMAIL_RE.test(email.trim())) fields.email = t('val.email');
    const local = { fields, form: null };
    if (hasErrors(local)) {
      setErrors(local);
      focusFirstInvalid(formRef.current);
      return;
    }
    setErrors(noErrors);
    setBusy(true);
    const identities: { kind: string; value: string }[] = [];
    if (email.trim()) identities.push({ kind: 'email', value: email.trim() });
    if (phone.trim()) identities.push({ kind: 'phone', value: phone.trim() });
    try {
      const answer = await api.createContact({
        name: name.trim(),
        kind,
        stage,
        ...(type ? { type } : {}),
        identities,
      });
      onCreated(answer.contact);
      navigate(`/contacts/${answer.contact.id}`);
    } catch (err) {
      setErrors(placeContactError(i18n, err, email.trim(), phone.trim()));
      focusFirstInvalid(formRef.current);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="nc-title">
      <h3 id="nc-title">{t('ct.newTitle')}</h3>
      <form ref={formRef} onSubmit={submit} noValidate data-testid="new-contact">
        {errors.form && <Alert>{errors.form}</Alert>}
        <div class="field-row three">
          <Field id="nc-name" label={t('ct.name')} error={errors.fields.name ?? null}>
            {(aria) => <input {...aria} type="text" autoComplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />}
          </Field>
          <Field id="nc-kind" label={t('ct.kind')} error={errors.fields.kind ?? null}>
            {(aria) => (
              <select {...aria} value={kind} onChange={(e) => setKind(e.currentTarget.value as 'person' | 'organization')}>
                <option value="person">{t('ct.kind.person')}</option>
                <option value="organization">{t('ct.kind.organization')}</option>
              </select>
            )}
          </Field>
          <Field id="nc-stage" label={t('ct.stage')} error={errors.fields.stage ?? null}>
            {(aria) => (
              <select {...aria} value={stage} onChange={(e) => setStage(e.currentTarget.value)}>
                {STAGES.map((s) => (
                  <option key={s} value={s}>
                    {stageName(i18n, s)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="nc-type" label={t('ct.type')} error={errors.fields.type ?? null}>
            {(aria) => (
              <select {...aria} value={type} onChange={(e) => setType(e.currentTarget.value)}>
                <option value="">{t('ct.none')}</option>
                {CONTACT_TYPES.map((s) => (
                  <option key={s} value={s}>
                    {typeName(i18n, s)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="nc-email" label={t('ct.email')} error={errors.fields.email ?? null}>
            {(aria) => (
              <input
                {...aria}
                type="email"
                autoComplete="off"
                autoCapitalize="none"
                spellcheck={false}
                value={email}
                onInput={(e) => setEmail(e.currentTarget.value)}
              />
            )}
          </Field>
          <Field id="nc-phone" label={t('ct.phone')} error={errors.fields.phone ?? null}>
            {(aria) => <input {...aria} type="tel" autoComplete="off" value={phone} onInput={(e) => setPhone(e.currentTarget.value)} />}
          </Field>
        </div>
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? t('ct.creating') : t('ct.create')}
          </button>
          <button type="button" class="btn" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}

/**
 * The server names field "value" for a refused identity and quotes the value
 * in its message; put the error next to the e-mail or the phone accordingly.
 */
function placeContactError(i18n: I18n, err: unknown, email: string, phone: string): FormErrors {
  const e = err as { field?: string | null; code?: string; message?: string };
  const text = errorText(i18n, err);
  const field = e.field ?? '';
  if (e.code?.startsWith('contact.identity') || field === 'value' || field.startsWith('identities')) {
    const message = e.message ?? '';
    let target: string | null = null;
    if (email && !phone) target = 'email';
    else if (phone && !email) target = 'phone';
    else if (email && message.includes(email)) target = 'email';
    else if (phone) target = 'phone';
    if (target) return { fields: { [target]: text }, form: null };
  }
  if (['name', 'kind', 'stage', 'type'].includes(field)) return { fields: { [field]: text }, form: null };
  return { fields: {}, form: text };
}

// ---------------------------------------------------------- one contact

function identityHref(id: Identity): string | null {
  const v = id.value;
  switch (id.kind) {
    case 'email':
      return `mailto:${v}`;
    case 'phone':
      return `tel:${v}`;
    case 'whatsapp':
      return `https://wa.me/${v.replace(/\D/g, '')}`;
    case 'telegram':
      return `https://t.me/${v.replace(/^@/, '')}`;
    default:
      return /^https?:\/\//i.test(v) ? v : null;
  }
}

export function IdentityRow({ id }: { id: Identity }) {
  const i18n = useI18n();
  const { t } = i18n;
  const href = identityHref(id);
  const kind = tr(i18n, `idk.${id.kind}`, id.kind);
  const external = href !== null && href.startsWith('http');
  return (
    <li class="identity">
      <span class="identity-kind">{kind}</span>
      <span class="identity-value">{id.original || id.value}</span>
      {id.label && <span class="muted small">{id.label}</span>}
      <span class="identity-actions">
        {href && (
          <a class="btn btn-small" href={href} {...(external ? { target: '_blank', rel: 'noopener noreferrer' } : {})}>
            {id.kind === 'email' ? t('ct.write') : id.kind === 'phone' ? t('ct.call') : t('ct.open')}
            <span class="visually-hidden"> {id.original || id.value}</span>
          </a>
        )}
        {id.kind === 'phone' && (
          <a class="btn btn-small" href={`https://wa.me/${id.value.replace(/\D/g, '')}`} target="_blank" rel="noopener noreferrer">
            WhatsApp<span class="visually-hidden"> {id.original || id.value}</span>
          </a>
        )}
      </span>
    </li>
  );
}

export function ContactPage({ id }: { id: number }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { user } = useSession();
  const { navigate } = useRouter();
  const edit = canEdit(user.role);
  const del = canDelete(user.role);
  const tz = user.workspace.timezone;

  const [contact, setContact] = useState<Contact | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [timeline, setTimeline] = useState<TimelineEntry[] | null>(null);
  const [tlNext, setTlNext] = useState<string | null>(null);
  const [tlError, setTlError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [stageError, setStageError] = useState<string | null>(null);
  const [stageBusy, setStageBusy] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteBusy, setDeleteBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);

  const loadContact = async () => {
    try {
      const answer = await api.contact(id);
      setContact(answer.contact);
      setLoadError(null);
    } catch (err) {
      setLoadError(err);
    }
  };

  const loadTimeline = async (cursor: string | null) => {
    try {
      const list = await api.timeline(id, cursor);
      setTimeline((old) => (cursor ? [...(old ?? []), ...list.items] : list.items));
      setTlNext(list.next);
      setTlError(null);
    } catch (err) {
      setTlError(err);
    }
  };

  useEffect(() => {
    setContact(null);
    setTimeline(null);
    setNotice(null); // a notice is text in the language it was shown in
    void loadContact();
    void loadTimeline(null);
  }, [id, i18n.locale]);

  const changeStage = async (stage: string) => {
    if (!contact || stage === contact.stage) return;
    setStageBusy(true);
    setStageError(null);
    setNotice(null);
    try {
      const answer = await api.updateContact(contact.id, { stage });
      setContact({ ...contact, ...answer.contact });
      setNotice(t('ct.stageChanged', { stage: stageName(i18n, answer.contact.stage) }));
      await loadTimeline(null);
    } catch (err) {
      setStageError(errorText(i18n, err));
      setContact({ ...contact });
    } finally {
      setStageBusy(false);
    }
  };

  const remove = async () => {
    if (!contact) return;
    setDeleteBusy(true);
    setDeleteError(null);
    try {
      await api.deleteContact(contact.id);
      setDeleting(false);
      navigate('/contacts');
    } catch (err) {
      setDeleteError(errorText(i18n, err));
    } finally {
      setDeleteBusy(false);
    }
  };

  if (loadError !== null) {
    const notFound = (loadError as { status?: number }).status === 404;
    return (
      <div class="page">
        <PageTitle title={t('nav.contacts')}>{t('nav.contacts')}</PageTitle>
        <Alert>{notFound ? t('ct.notFound') : errorText(i18n, loadError)}</Alert>
        <p>
          <Link href="/contacts" class="btn">
            {t('ct.back')}
          </Link>
        </p>
      </div>
    );
  }
  if (!contact) return <Spinner label={t('common.loading')} />;

  const owner = contact.owner === null ? '—' : contact.owner === user.id ? t('ct.ownerYou') : t('ct.ownerUser', { id: contact.owner });

  return (
    <div class="page contact-page">
      <p class="back-link">
        <Link href="/contacts">← {t('ct.back')}</Link>
      </p>
      <header class="page-head">
        <PageTitle title={contact.name}>{contact.name}</PageTitle>
        {canExport(user.role) && (
          <a class="btn btn-small page-head-action" href={`/api/v1/contacts/${contact.id}/export`} download data-testid="gdpr-export">
            {t('cl.gdprExport')}
          </a>
        )}
        {del && (
          <button
            type="button"
            class="btn btn-danger-quiet page-head-action"
            onClick={() => {
              setDeleteError(null);
              setDeleting(true);
            }}
          >
            {t('ct.delete')}
          </button>
        )}
      </header>

      <div class="stack-large">
        {notice && <Status>{notice}</Status>}
        {stageError && <Alert>{stageError}</Alert>}
        {!edit && <p class="note">{t('ct.readOnly')}</p>}

        <dl class="facts contact-facts">
          <div>
            <dt>{edit ? <label for="ct-stage-edit">{t('ct.stage')}</label> : t('ct.stage')}</dt>
            <dd>
              {edit ? (
                <select
                  id="ct-stage-edit"
                  class="select-compact"
                  value={contact.stage}
                  disabled={stageBusy}
                  onChange={(e) => void changeStage(e.currentTarget.value)}
                >
                  {STAGES.map((s) => (
                    <option key={s} value={s}>
                      {stageName(i18n, s)}
                    </option>
                  ))}
                </select>
              ) : (
                <span data-testid="contact-stage">{stageName(i18n, contact.stage)}</span>
              )}
            </dd>
          </div>
          <div>
            <dt>{t('ct.kind')}</dt>
            <dd>{t(contact.kind === 'organization' ? 'ct.kind.organization' : 'ct.kind.person')}</dd>
          </div>
          <div>
            <dt>{t('ct.type')}</dt>
            <dd>{contact.type ? typeName(i18n, contact.type) : '—'}</dd>
          </div>
          <div>
            <dt>{t('ct.owner')}</dt>
            <dd>{owner}</dd>
          </div>
          <div>
            <dt>{t('ct.strength')}</dt>
            <dd>
              <Strength value={contact.strength} />
            </dd>
          </div>
        </dl>
        {contact.strength_explanation && (
          <p class="muted strength-explanation" data-testid="strength-explanation">
            {contact.strength_explanation}
          </p>
        )}

        <section aria-labelledby="ct-ids">
          <h2 class="h3" id="ct-ids">
            {t('ct.identities')}
          </h2>
          {contact.identities && contact.identities.length > 0 ? (
            <ul class="identity-list">
              {contact.identities.map((x) => (
                <IdentityRow key={x.id} id={x} />
              ))}
            </ul>
          ) : (
            <p class="muted">{t('ct.noIdentities')}</p>
          )}
          {edit && <IdentityEditor contact={contact} onChange={setContact} />}
        </section>

        <Memberships contact={contact} edit={edit} onChange={(c) => setContact({ ...contact, ...c })} />

        <TagsSection contact={contact} edit={edit} onChange={setContact} />
        <NotesSection contact={contact} edit={edit} onChange={setContact} />
        <FieldsSection contact={contact} edit={edit} onChange={setContact} />
        <ConsentsSection contact={contact} edit={edit} onChange={setContact} timeZone={tz} />

        {edit && (
          <LogForm
            contactId={contact.id}
            onLogged={async () => {
              await loadTimeline(null);
              await loadContact();
            }}
          />
        )}

        <section aria-labelledby="ct-tl">
          <h2 class="h3" id="ct-tl">
            {t('ct.timeline')}
          </h2>
          {tlError !== null && <Alert>{errorText(i18n, tlError)}</Alert>}
          {timeline === null && tlError === null && <Spinner label={t('common.loading')} />}
          {timeline !== null && timeline.length === 0 && <p class="muted">{t('ct.timelineEmpty')}</p>}
          {timeline !== null && timeline.length > 0 && (
            <ol class="timeline" data-testid="timeline">
              {timeline.map((e) => (
                <TimelineItem key={e.id} e={e} tz={tz} />
              ))}
            </ol>
          )}
          {tlNext && (
            <div class="list-foot">
              <button type="button" class="btn" onClick={() => void loadTimeline(tlNext)}>
                {t('ct.loadMore')}
              </button>
            </div>
          )}
        </section>
      </div>

      <ConfirmDialog
        open={deleting}
        title={t('ct.deleteTitle', { name: contact.name })}
        body={t('ct.deleteBody')}
        confirmLabel={t('ct.delete')}
        busy={deleteBusy}
        error={deleteError}
        onConfirm={() => void remove()}
        onCancel={() => setDeleting(false)}
      />
    </div>
  );
}

/** A stage change's body names stages by code ("lead → customer"); show them translated. */
function stageBody(i18n: I18n, body: string): string {
  return body.replace(/\b(stranger|lead|prospect|customer|advocate|former)\b/g, (s) => stageName(i18n, s));
}

/** One timeline entry; WHO (the contact's name or link, for combined timelines) leads when given. */
export function TimelineItem({ e, tz, who }: { e: TimelineEntry; tz: string; who?: ComponentChildren }) {
  const i18n = useI18n();
  const { t } = i18n;
  return (
    <li class={`tl-entry tl-${e.kind}`} data-kind={e.kind}>
      <p class="tl-head">
        {who && (
          <>
            {who}
            <span> · </span>
          </>
        )}
        <strong>{tr(i18n, `tl.${e.kind}`, e.kind)}</strong>
        {e.direction && <span class="muted"> · {t(e.direction === 'in' ? 'tl.in' : 'tl.out')}</span>}
        {e.duration_s !== null && e.duration_s > 0 && <span class="muted"> · {t('ct.minutes', { n: Math.round(e.duration_s / 60) })}</span>}
        {e.outcome && e.kind !== 'stage_change' && <span> · {e.outcome}</span>}
        <span class="muted small tl-time"> {formatTime(i18n, e.at, tz)}</span>
      </p>
      {e.body && <p class="tl-body">{entryBody(i18n, e)}</p>}
    </li>
  );
}

const MERGE_NOTE = /^Values of the merged contact (.*) that differed:/;

/** An entry's body as shown: stage names translated, the merge note's opening line in the page's language. */
export function entryBody(i18n: I18n, e: TimelineEntry): string {
  const body = e.body ?? '';
  if (e.kind === 'stage_change') return stageBody(i18n, body);
  if (e.kind === 'note' && e.source_kind === 'contact') {
    return body.replace(MERGE_NOTE, (_, who: string) => i18n.t('tl.mergeNote', { who }));
  }
  return body;
}

function LogForm({ contactId, onLogged }: { contactId: number; onLogged: () => Promise<void> }) {
  const i18n = useI18n();
  const { t } = i18n;
  const formRef = useRef<HTMLFormElement>(null);
  const [kind, setKind] = useState<'call' | 'meeting' | 'note'>('call');
  const [direction, setDirection] = useState<'in' | 'out'>('out');
  const [minutes, setMinutes] = useState('');
  const [outcome, setOutcome] = useState('');
  const [body, setBody] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setDone(false);
    const fields: Record<string, string> = {};
    const m = minutes.trim();
    if (m && !/^\d+$/.test(m)) fields.duration = t('val.minutes');
    if (kind === 'note' && !body.trim()) fields.body = t('val.required');
    if (Object.keys(fields).length) {
      setErrors({ fields, form: null });
      focusFirstInvalid(formRef.current);
      return;
    }
    setErrors(noErrors);
    setBusy(true);
    try {
      await api.logInteraction(contactId, {
        kind,
        ...(kind !== 'note' ? { direction } : {}),
        ...(kind !== 'note' && m ? { duration_s: Number(m) * 60 } : {}),
        ...(kind !== 'note' && outcome.trim() ? { outcome: outcome.trim() } : {}),
        ...(body.trim() ? { body: body.trim() } : {}),
      });
      setMinutes('');
      setOutcome('');
      setBody('');
      setDone(true);
      await onLogged();
    } catch (err) {
      const e = err as { field?: string | null };
      const text = errorText(i18n, err);
      const map: Record<string, string> = { duration_s: 'duration', outcome: 'outcome', body: 'body', direction: 'direction', kind: 'kind' };
      const f = e.field ? map[e.field] : undefined;
      setErrors(f ? { fields: { [f]: text }, form: null } : { fields: {}, form: text });
      focusFirstInvalid(formRef.current);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="log-title">
      <h3 id="log-title">{t('ct.log')}</h3>
      <form ref={formRef} onSubmit={submit} noValidate data-testid="log-form">
        {errors.form && <Alert>{errors.form}</Alert>}
        {done && <Status>{t('ct.logged')}</Status>}
        <div class="field-row three">
          <Field id="log-kind" label={t('ct.logKind')} error={errors.fields.kind ?? null}>
            {(aria) => (
              <select {...aria} value={kind} onChange={(e) => setKind(e.currentTarget.value as 'call' | 'meeting' | 'note')}>
                <option value="call">{t('tl.call')}</option>
                <option value="meeting">{t('tl.meeting')}</option>
                <option value="note">{t('tl.note')}</option>
              </select>
            )}
          </Field>
          {kind !== 'note' && (
            <Field id="log-direction" label={t('ct.direction')} error={errors.fields.direction ?? null}>
              {(aria) => (
                <select {...aria} value={direction} onChange={(e) => setDirection(e.currentTarget.value as 'in' | 'out')}>
                  <option value="out">{t('ct.dir.out')}</option>
                  <option value="in">{t('ct.dir.in')}</option>
                </select>
              )}
            </Field>
          )}
          {kind !== 'note' && (
            <Field id="log-duration" label={t('ct.duration')} error={errors.fields.duration ?? null}>
              {(aria) => (
                <input {...aria} type="text" inputMode="numeric" autoComplete="off" value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} />
              )}
            </Field>
          )}
        </div>
        {kind !== 'note' && (
          <Field id="log-outcome" label={t('ct.outcome')} hint={t('ct.outcomeHint')} error={errors.fields.outcome ?? null}>
            {(aria) => (
              <input {...aria} type="text" maxLength={200} autoComplete="off" value={outcome} onInput={(e) => setOutcome(e.currentTarget.value)} />
            )}
          </Field>
        )}
        <div class={`field${errors.fields.body ? ' has-error' : ''}`}>
          <label for="log-body">{t('ct.note')}</label>
          <textarea
            id="log-body"
            rows={3}
            value={body}
            aria-invalid={errors.fields.body ? 'true' : undefined}
            aria-describedby={errors.fields.body ? 'log-body-error' : undefined}
            onInput={(e) => setBody(e.currentTarget.value)}
          />
          {errors.fields.body && (
            <p class="field-error" id="log-body-error" role="alert">
              <span>{errors.fields.body}</span>
            </p>
          )}
        </div>
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? t('ct.logging') : t('ct.logSubmit')}
          </button>
        </div>
      </form>
    </section>
  );
}
