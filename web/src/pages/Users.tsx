// Users of the workspace, for its owner: add someone with a role (the server
// makes a temporary password, shown here once), change a role, disable or
// enable an account. The server refuses to leave the workspace without an
// active owner; that refusal is explained in words.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ROLES, type Role, type User } from '../api';
import type { Key } from '../i18n';
import { errorText, formatTime, useI18n } from '../i18n-context';
import { useSession } from '../session';
import { Alert, ConfirmDialog, Email, Field, SecretBox, Spinner, Status } from '../components';
import { EMAIL_RE, focusFirstInvalid, hasErrors, noErrors, placeError, type FormErrors } from '../forms';

export function UsersPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const session = useSession();
  const me = session.user;
  const tz = me.workspace.timezone;
  const formRef = useRef<HTMLFormElement>(null);

  const [users, setUsers] = useState<User[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<{ user: User; temporary_password: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<number | null>(null);
  const [disabling, setDisabling] = useState<User | null>(null);
  const [disableError, setDisableError] = useState<string | null>(null);

  const load = async () => {
    try {
      const all: User[] = [];
      let list = await api.users();
      all.push(...list.items);
      // a workspace of up to a few hundred people: follow the cursor a few pages at most
      for (let pages = 0; list.next && pages < 10; pages++) {
        list = await api.users(list.next);
        all.push(...list.items);
      }
      setUsers(all);
      setLoadError(null);
    } catch (err) {
      setLoadError(err);
    }
  };

  useEffect(() => {
    void load();
  }, []);

  const roleName = (r: Role) => t(`role.${r}` as Key);

  /** Explains a refused change; the last-owner rule gets its own sentence. */
  const changeError = (err: unknown): string => {
    const e = err as { status?: number; code?: string };
    // the contract gives 422 without naming a code; this server says user.last_owner
    if (e.status === 422 && e.code !== 'user.last_owner') return t('users.lastOwner');
    return errorText(i18n, err);
  };

  const replaceUser = (u: User) => {
    setUsers((list) => (list ? list.map((x) => (x.id === u.id ? u : x)) : list));
    if (u.id === me.id) session.setUser(u);
  };

  const add = async (event: Event) => {
    event.preventDefault();
    if (adding) return;
    setNotice(null);
    const fields: Record<string, string> = {};
    if (!email.trim()) fields.email = t('val.required');
    else if (!EMAIL_RE.test(email.trim())) fields.email = t('val.email');
    if (!name.trim()) fields.name = t('val.required');
    const local = { fields, form: null };
    if (hasErrors(local)) {
      setErrors(local);
      focusFirstInvalid(formRef.current);
      return;
    }
    setErrors(noErrors);
    setAdding(true);
    try {
      const answer = await api.addUser({ email: email.trim(), name: name.trim(), role });
      setAdded(answer);
      setEmail('');
      setName('');
      setRole('member');
      await load();
    } catch (err) {
      setErrors(placeError(i18n, err, ['email', 'name', 'role']));
      focusFirstInvalid(formRef.current);
    } finally {
      setAdding(false);
    }
  };

  const changeRole = async (u: User, next: Role) => {
    if (next === u.role) return;
    setNotice(null);
    setRowError(null);
    setBusyId(u.id);
    try {
      const answer = await api.updateUser(u.id, { role: next });
      replaceUser(answer.user);
      setNotice(t('users.roleChanged', { name: answer.user.name, role: roleName(answer.user.role) }));
    } catch (err) {
      setRowError(changeError(err));
      // put the select back to what the server still has
      setUsers((list) => (list ? list.map((x) => (x.id === u.id ? { ...x } : x)) : list));
    } finally {
      setBusyId(null);
    }
  };

  const setDisabled = async (u: User, disabled: boolean): Promise<boolean> => {
    setNotice(null);
    setRowError(null);
    setBusyId(u.id);
    try {
      const answer = await api.updateUser(u.id, { disabled });
      replaceUser(answer.user);
      setNotice(t(disabled ? 'users.disabledNotice' : 'users.enabledNotice', { name: answer.user.name }));
      return true;
    } catch (err) {
      const text = changeError(err);
      if (disabled) setDisableError(text);
      else setRowError(text);
      return false;
    } finally {
      setBusyId(null);
    }
  };

  return (
    <div class="stack-large">
      <p class="lead-small">{t('users.intro')}</p>

      {added && (
        <SecretBox
          testid="temporary-password"
          title={t('users.tempTitle', { name: added.user.name })}
          warning={t('users.tempWarning', { name: added.user.name })}
          label={t('users.tempLabel')}
          secret={added.temporary_password}
          doneLabel={t('users.tempDone')}
          onDone={() => setAdded(null)}
        />
      )}

      <section class="card" aria-labelledby="user-add">
        <h3 id="user-add">{t('users.addTitle')}</h3>
        <form ref={formRef} onSubmit={add} noValidate>
          {errors.form && <Alert>{errors.form}</Alert>}
          <div class="field-row three">
            <Field id="user-email" label={t('users.email')} error={errors.fields.email ?? null}>
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
            <Field id="user-name" label={t('users.name')} error={errors.fields.name ?? null}>
              {(aria) => (
                <input {...aria} type="text" autoComplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />
              )}
            </Field>
            <Field id="user-role" label={t('users.role')} error={errors.fields.role ?? null}>
              {(aria) => (
                <select {...aria} value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {roleName(r)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <details class="role-help">
            <summary>{t('users.roles')}</summary>
            <dl>
              {ROLES.map((r) => (
                <div key={r}>
                  <dt>{roleName(r)}</dt>
                  <dd>{t(`roleHelp.${r}` as Key)}</dd>
                </div>
              ))}
            </dl>
          </details>
          <div class="form-actions">
            <button type="submit" class="btn btn-primary" disabled={adding}>
              {adding ? t('users.adding') : t('users.add')}
            </button>
          </div>
        </form>
      </section>

      <section aria-labelledby="user-list">
        <h3 id="user-list">{t('users.listTitle')}</h3>
        {notice && <Status>{notice}</Status>}
        {rowError && <Alert>{rowError}</Alert>}
        {loadError !== null && <Alert>{errorText(i18n, loadError)}</Alert>}
        {users === null && loadError === null && <Spinner label={t('common.loading')} />}
        {users !== null && (
          <div class="table-wrap">
            <table class="table table-stack">
              <thead>
                <tr>
                  <th scope="col">{t('users.col.name')}</th>
                  <th scope="col">{t('users.col.email')}</th>
                  <th scope="col">{t('users.col.role')}</th>
                  <th scope="col">{t('users.col.status')}</th>
                  <th scope="col">{t('users.col.lastSignIn')}</th>
                  <th scope="col">
                    <span class="visually-hidden">{t('users.col.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.map((u) => (
                  <tr key={u.id} class={u.disabled ? 'row-muted' : ''}>
                    <th scope="row">
                      {u.name}
                      {u.id === me.id && <span class="muted"> ({t('users.you')})</span>}
                    </th>
                    <td class="cell-email" data-label={t('users.col.email')}><Email address={u.email} /></td>
                    <td data-label={t('users.col.role')}>
                      <select
                        class="select-compact"
                        aria-label={t('users.roleOf', { name: u.name })}
                        value={u.role}
                        disabled={busyId === u.id}
                        onChange={(e) => void changeRole(u, e.currentTarget.value as Role)}
                      >
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {roleName(r)}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td data-label={t('users.col.status')}>
                      <span class="badges">
                      <span class={`badge ${u.disabled ? 'badge-off' : 'badge-on'}`}>
                        {u.disabled ? t('users.disabled') : t('users.active')}
                      </span>
                      {u.must_change_password && !u.disabled && (
                        <span class="badge badge-soon">{t('users.mustChange')}</span>
                      )}
                      </span>
                    </td>
                    <td data-label={t('users.col.lastSignIn')}>{u.last_sign_in_at ? formatTime(i18n, u.last_sign_in_at, tz) : t('common.never')}</td>
                    <td class="cell-actions">
                      {u.id === me.id ? null : u.disabled ? (
                        <button
                          type="button"
                          class="btn btn-small"
                          aria-label={t('users.enableLabel', { name: u.name })}
                          disabled={busyId === u.id}
                          onClick={() => void setDisabled(u, false)}
                        >
                          {t('users.enable')}
                        </button>
                      ) : (
                        <button
                          type="button"
                          class="btn btn-small btn-danger-quiet"
                          aria-label={t('users.disableLabel', { name: u.name })}
                          disabled={busyId === u.id}
                          onClick={() => {
                            setDisableError(null);
                            setDisabling(u);
                          }}
                        >
                          {t('users.disable')}
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
        open={disabling !== null}
        title={t('users.disableTitle', { name: disabling?.name ?? '' })}
        body={t('users.disableBody', { name: disabling?.name ?? '' })}
        confirmLabel={t('users.disableConfirm')}
        busy={busyId !== null}
        error={disableError}
        onConfirm={async () => {
          if (disabling && (await setDisabled(disabling, true))) setDisabling(null);
        }}
        onCancel={() => setDisabling(null)}
      />
    </div>
  );
}
