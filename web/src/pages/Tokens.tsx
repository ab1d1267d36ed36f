// API tokens of the signed-in user: the list (only each secret's first
// characters are known after creation), creating one (its secret is shown this
// once, with a copy button) and revoking one after a confirmation.
// Consultants may look but not create: the server refuses it anyway.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Token } from '../api';
import { errorText, formatTime, useI18n } from '../i18n-context';
import { useSession } from '../session';
import { Alert, ConfirmDialog, Field, SecretBox, Spinner, Status } from '../components';
import { focusFirstInvalid, noErrors, placeError, type FormErrors } from '../forms';

export function TokensPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const { user } = useSession();
  const readOnly = user.role === 'consultant';
  const tz = user.workspace.timezone;
  const formRef = useRef<HTMLFormElement>(null);

  const [tokens, setTokens] = useState<Token[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ token: Token; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<Token | null>(null);
  const [revokeBusy, setRevokeBusy] = useState(false);
  const [revokeError, setRevokeError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = async () => {
    try {
      const list = await api.tokens();
      setTokens(list.items);
      setLoadError(null);
    } catch (err) {
      setLoadError(err);
    }
  };

  useEffect(() => {
    void load();
  }, []);

  const create = async (event: Event) => {
    event.preventDefault();
    if (creating) return;
    setNotice(null);
    if (!name.trim()) {
      setErrors({ fields: { name: t('val.required') }, form: null });
      focusFirstInvalid(formRef.current);
      return;
    }
    setErrors(noErrors);
    setCreating(true);
    try {
      const answer = await api.createToken(name.trim());
      setCreated(answer);
      setName('');
      await load();
    } catch (err) {
      setErrors(placeError(i18n, err, ['name']));
      focusFirstInvalid(formRef.current);
    } finally {
      setCreating(false);
    }
  };

  const revoke = async () => {
    if (!revoking) return;
    setRevokeBusy(true);
    setRevokeError(null);
    try {
      await api.revokeToken(revoking.id);
      if (created && created.token.id === revoking.id) setCreated(null);
      await load();
      setNotice(t('tokens.revokedNotice', { name: revoking.name }));
      setRevoking(null);
    } catch (err) {
      setRevokeError(errorText(i18n, err));
    } finally {
      setRevokeBusy(false);
    }
  };

  return (
    <div class="stack-large">
      <p class="lead-small">{t('tokens.intro')}</p>

      {created && (
        <SecretBox
          testid="token-secret"
          title={t('tokens.secretTitle', { name: created.token.name })}
          warning={t('tokens.secretWarning')}
          label={t('tokens.secretLabel')}
          secret={created.secret}
          doneLabel={t('tokens.secretDone')}
          onDone={() => setCreated(null)}
        />
      )}

      {readOnly ? (
        <p class="note">{t('tokens.readOnly')}</p>
      ) : (
        <section class="card" aria-labelledby="token-new">
          <h3 id="token-new">{t('tokens.createTitle')}</h3>
          <form ref={formRef} onSubmit={create} noValidate class="inline-form">
            {errors.form && <Alert>{errors.form}</Alert>}
            <Field id="token-name" label={t('tokens.name')} hint={t('tokens.nameHint')} error={errors.fields.name ?? null}>
              {(aria) => (
                <input
                  {...aria}
                  type="text"
                  autoComplete="off"
                  maxLength={100}
                  value={name}
                  onInput={(e) => setName(e.currentTarget.value)}
                />
              )}
            </Field>
            <button type="submit" class="btn btn-primary" disabled={creating}>
              {creating ? t('tokens.creating') : t('tokens.create')}
            </button>
          </form>
        </section>
      )}

      <section aria-labelledby="token-list">
        <h3 id="token-list">{t('tokens.listTitle')}</h3>
        {notice && <Status>{notice}</Status>}
        {loadError !== null && <Alert>{errorText(i18n, loadError)}</Alert>}
        {tokens === null && loadError === null && <Spinner label={t('common.loading')} />}
        {tokens !== null && tokens.length === 0 && <p class="muted">{t('tokens.empty')}</p>}
        {tokens !== null && tokens.length > 0 && (
          <div class="table-wrap">
            <table class="table table-stack">
              <thead>
                <tr>
                  <th scope="col">{t('tokens.col.name')}</th>
                  <th scope="col">{t('tokens.col.prefix')}</th>
                  <th scope="col">{t('tokens.col.created')}</th>
                  <th scope="col">{t('tokens.col.lastUsed')}</th>
                  <th scope="col">{t('tokens.col.status')}</th>
                  <th scope="col">
                    <span class="visually-hidden">{t('tokens.col.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokens.map((tok) => (
                  <tr key={tok.id} class={tok.revoked ? 'row-muted' : ''}>
                    <th scope="row">{tok.name}</th>
                    <td data-label={t('tokens.col.prefix')}>
                      <code>{tok.prefix}…</code>
                    </td>
                    <td data-label={t('tokens.col.created')}>{formatTime(i18n, tok.created_at, tz)}</td>
                    <td data-label={t('tokens.col.lastUsed')}>{tok.last_used_at ? formatTime(i18n, tok.last_used_at, tz) : t('common.never')}</td>
                    <td data-label={t('tokens.col.status')}>
                      <span class={`badge ${tok.revoked ? 'badge-off' : 'badge-on'}`}>
                        {tok.revoked ? t('tokens.revoked') : t('tokens.active')}
                      </span>
                    </td>
                    <td class="cell-actions">
                      {!tok.revoked && !readOnly && (
                        <button
                          type="button"
                          class="btn btn-small btn-danger-quiet"
                          aria-label={t('tokens.revokeLabel', { name: tok.name })}
                          onClick={() => {
                            setRevokeError(null);
                            setRevoking(tok);
                          }}
                        >
                          {t('tokens.revoke')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <ConfirmDialog
        open={revoking !== null}
        title={t('tokens.revokeTitle', { name: revoking?.name ?? '' })}
        body={t('tokens.revokeBody')}
        confirmLabel={t('tokens.revokeConfirm')}
        busy={revokeBusy}
        error={revokeError}
        onConfirm={() => void revoke()}
        onCancel={() => setRevoking(null)}
      />
    </div>
  );
}
