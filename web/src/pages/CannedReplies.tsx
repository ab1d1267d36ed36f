// Settings → Canned replies (managers and owners): the workspace's ready-made
// answers that agents insert from the composer. The list (shortcut, title,
// text), writing a new one with the variables it may use ({{first_name}} and
// the others, filled in for the conversation when inserted), and deleting one
// after a confirmation. The server checks shortcuts and variables; its errors
// are shown on the field they concern.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type CannedReply } from '../api';
import { errorText, useI18n } from '../i18n-context';
import { Alert, ConfirmDialog, Field, Spinner, Status } from '../components';
import { focusFirstInvalid, noErrors, placeError, type FormErrors } from '../forms';

const VARIABLES = ['first_name', 'last_name', 'name', 'agent_name', 'company'];

export function CannedRepliesPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const formRef = useRef<HTMLFormElement>(null);
  const [items, setItems] = useState<CannedReply[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [form, setForm] = useState({ shortcut: '', title: '', body: '' });
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<CannedReply | null>(null);
  const [deleteBusy, setDeleteBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);

  const load = async () => {
    try {
      const answer = await api.cannedReplies(null);
      setItems(Array.isArray(answer) ? answer : answer.items);
      setLoadError(null);
    } catch (err) {
      setLoadError(err);
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const save = async (event: Event) => {
    event.preventDefault();
    if (saving) return;
    setNotice(null);
    const fields: Record<string, string> = {};
    if (!form.shortcut.trim()) fields.shortcut = t('val.required');
    if (!form.title.trim()) fields.title = t('val.required');
    if (!form.body.trim()) fields.body = t('val.required');
    if (Object.keys(fields).length) {
      setErrors({ fields, form: null });
      focusFirstInvalid(formRef.current);
      return;
    }
    setErrors(noErrors);
    setSaving(true);
    try {
      await api.createCannedReply({ shortcut: form.shortcut.trim(), title: form.title.trim(), body: form.body });
      setNotice(t('canned.savedNotice', { title: form.title.trim() }));
      setForm({ shortcut: '', title: '', body: '' });
      await load();
    } catch (err) {
      setErrors(placeError(i18n, err, ['shortcut', 'title', 'body']));
      focusFirstInvalid(formRef.current);
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    if (!deleting) return;
    setDeleteBusy(true);
    setDeleteError(null);
    try {
      await api.deleteCannedReply(deleting.id);
      setNotice(t('canned.deletedNotice', { title: deleting.title }));
      setDeleting(null);
      await load();
    } catch (err) {
      setDeleteError(errorText(i18n, err));
    } finally {
      setDeleteBusy(false);
    }
  };

  const set = (k: 'shortcut' | 'title' | 'body', v: string) => setForm((f) => ({ ...f, [k]: v }));

  return (
    <div class="stack-large">
      <p class="lead-small">{t('canned.intro')}</p>
      {notice && <Status>{notice}</Status>}

      <section aria-labelledby="canned-list-title">
        <h3 id="canned-list-title">{t('canned.listTitle')}</h3>
        {loadError !== null && <Alert>{errorText(i18n, loadError)}</Alert>}
        {items === null && loadError === null && <Spinner label={t('common.loading')} />}
        {items !== null && items.length === 0 && (
          <p class="note" data-testid="canned-empty">
            {t('canned.empty')}
          </p>
        )}
        {items !== null && items.length > 0 && (
          <ul class="canned-list" data-testid="canned-list">
            {items.map((c) => (
              <li key={c.id} class="card canned-item">
                <div class="canned-item-head">
                  <span>
                    <code>/{c.shortcut}</code> <strong>{c.title}</strong>
                  </span>
                  <button
                    type="button"
                    class="btn btn-small btn-quiet"
                    aria-label={t('canned.deleteNamed', { title: c.title })}
                    onClick={() => {
                      setDeleteError(null);
                      setDeleting(c);
                    }}
                  >
                    {t('canned.delete')}
                  </button>
                </div>
                <p class="canned-item-body">{c.body}</p>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section class="card" aria-labelledby="canned-new">
        <h3 id="canned-new">{t('canned.createTitle')}</h3>
        <form ref={formRef} onSubmit={save} noValidate class="stack">
          {errors.form && <Alert>{errors.form}</Alert>}
          <Field id="canned-shortcut" label={t('canned.shortcut')} hint={t('canned.shortcutHint')} error={errors.fields.shortcut ?? null}>
            {(aria) => (
              <input {...aria} type="text" autoComplete="off" maxLength={32} value={form.shortcut} onInput={(e) => set('shortcut', e.currentTarget.value)} />
            )}
          </Field>
          <Field id="canned-title" label={t('canned.titleLabel')} error={errors.fields.title ?? null}>
            {(aria) => <input {...aria} type="text" autoComplete="off" maxLength={100} value={form.title} onInput={(e) => set('title', e.currentTarget.value)} />}
          </Field>
          <Field
            id="canned-body"
            label={t('canned.body')}
            hint={t('canned.bodyHint', { vars: VARIABLES.map((v) => `{{${v}}}`).join(', ') })}
            error={errors.fields.body ?? null}
          >
            {(aria) => <textarea {...aria} rows={4} value={form.body} onInput={(e) => set('body', e.currentTarget.value)} />}
          </Field>
          <div>
            <button type="submit" class="btn btn-primary" disabled={saving}>
              {saving ? t('common.saving') : t('canned.save')}
            </button>
          </div>
        </form>
      </section>

      <ConfirmDialog
        open={deleting !== null}
        title={t('canned.deleteTitle', { title: deleting?.title ?? '' })}
        body={t('canned.deleteBody')}
        confirmLabel={t('canned.delete')}
        busy={deleteBusy}
        error={deleteError}
        onConfirm={() => void remove()}
        onCancel={() => setDeleting(null)}
      />
    </div>
  );
}
