// A person's organizations on the contact page: each with its title and a link
// to the organization's page, and for agents and up an editor that adds the
// person to an organization (found by name, folded: "acme srl" finds "ACME
// S.r.l."; created when none has the name) with a title, changes the title or
// removes the membership. An organization's own contact page lists its people
// and links to its organization page.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Contact, type Organization } from '../api';
import { errorText, useI18n } from '../i18n-context';
import { Link } from '../router';
import { Alert, Field, Status } from '../components';
import { focusFirstInvalid, noErrors, type FormErrors } from '../forms';

export function Memberships({ contact, edit, onChange }: { contact: Contact; edit: boolean; onChange: (c: Contact) => void }) {
  const i18n = useI18n();
  const { t } = i18n;

  if (contact.kind === 'organization') {
    const people = contact.people ?? [];
    return (
      <section aria-labelledby="ct-orgs">
        <h2 class="h3" id="ct-orgs">
          {t('ct.people')}
        </h2>
        {people.length > 0 ? (
          <ul class="plain-list">
            {people.map((m) => (
              <li key={m.id}>
                <Link href={`/contacts/${m.id}`}>{m.name}</Link>
                {m.title && <span class="muted"> · {m.title}</span>}
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">{t('org.noPeople')}</p>
        )}
        <p>
          <Link href={`/contacts/organizations/${contact.id}`} class="btn btn-small" data-testid="org-page-link">
            {t('org.openPage')}
          </Link>
        </p>
      </section>
    );
  }

  return <PersonOrganizations contact={contact} edit={edit} onChange={onChange} />;
}

function PersonOrganizations({ contact, edit, onChange }: { contact: Contact; edit: boolean; onChange: (c: Contact) => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const orgs = contact.organizations ?? [];
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState('');
  const [title, setTitle] = useState('');
  const [suggestions, setSuggestions] = useState<Organization[]>([]);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [removeError, setRemoveError] = useState<string | null>(null);

  // names of existing organizations as the user types, so a known one is picked rather than retyped
  useEffect(() => {
    const q = name.trim();
    if (!edit || q.length < 2) {
      setSuggestions([]);
      return;
    }
    let live = true;
    const timer = window.setTimeout(() => {
      api
        .organizations(q, null, 8)
        .then((list) => {
          if (live) setSuggestions(list.items);
        })
        .catch(() => {
          /* suggestions are a help; typing the full name still works */
        });
    }, 250);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [name, edit]);

  const add = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setNotice(null);
    const n = name.trim();
    if (!n) {
      setErrors({ fields: { org: t('val.required') }, form: null });
      focusFirstInvalid(formRef.current);
      return;
    }
    setErrors(noErrors);
    setBusy(true);
    try {
      const exact = suggestions.find((o) => o.name.toLowerCase() === n.toLowerCase());
      const answer = await api.addMembership(contact.id, {
        ...(exact ? { organization_id: exact.id } : { organization: n }),
        title: title.trim(),
      });
      onChange(answer.contact);
      setNotice(t('org.memberAdded', { org: n }));
      setName('');
      setTitle('');
      setSuggestions([]);
    } catch (err) {
      const e = err as { field?: string | null };
      const text = errorText(i18n, err);
      if (e.field === 'title') setErrors({ fields: { title: text }, form: null });
      else if (e.field === 'organization' || e.field === 'organization_id') setErrors({ fields: { org: text }, form: null });
      else setErrors({ fields: {}, form: text });
      focusFirstInvalid(formRef.current);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (orgId: number, orgName: string) => {
    setNotice(null);
    setRemoveError(null);
    try {
      const answer = await api.removeMembership(contact.id, orgId);
      onChange(answer.contact);
      setNotice(t('org.memberRemoved', { org: orgName }));
    } catch (err) {
      setRemoveError(errorText(i18n, err));
    }
  };

  return (
    <section aria-labelledby="ct-orgs" data-testid="memberships">
      <h2 class="h3" id="ct-orgs">
        {t('ct.organizations')}
      </h2>
      {notice && <Status>{notice}</Status>}
      {removeError && <Alert>{removeError}</Alert>}
      {orgs.length > 0 ? (
        <ul class="plain-list membership-list">
          {orgs.map((m) => (
            <li key={m.id} class="membership">
              <span>
                <Link href={`/contacts/organizations/${m.id}`}>{m.name}</Link>
                {m.title && <span class="muted"> · {m.title}</span>}
              </span>
              {edit && (
                <button type="button" class="btn btn-small btn-danger-quiet" onClick={() => void remove(m.id, m.name)}>
                  {t('org.leave')}
                  <span class="visually-hidden"> {m.name}</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{t('org.noOrganizations')}</p>
      )}
      {edit && (
        <form ref={formRef} onSubmit={add} noValidate class="membership-form" data-testid="membership-form">
          {errors.form && <Alert>{errors.form}</Alert>}
          <div class="field-row three">
            <Field id="mb-org" label={t('org.organization')} hint={t('org.organizationHint')} error={errors.fields.org ?? null}>
              {(aria) => (
                <input
                  {...aria}
                  type="text"
                  list="mb-org-list"
                  autoComplete="off"
                  value={name}
                  onInput={(e) => setName(e.currentTarget.value)}
                />
              )}
            </Field>
            <datalist id="mb-org-list">
              {suggestions.map((o) => (
                <option key={o.id} value={o.name} />
              ))}
            </datalist>
            <Field id="mb-title" label={t('org.title')} hint={t('org.titleHint')} error={errors.fields.title ?? null}>
              {(aria) => (
                <input {...aria} type="text" maxLength={200} autoComplete="off" value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
              )}
            </Field>
          </div>
          <div class="form-actions">
            <button type="submit" class="btn" disabled={busy}>
              {busy ? t('common.saving') : t('org.addMembership')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
