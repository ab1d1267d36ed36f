// The audit log, for the owner: newest events first, a page at a time with the
// server's cursor. Action codes are shown as words in the page's language;
// an action this UI does not know yet is shown as its code.
import { useEffect, useState } from 'preact/hooks';
import { api, type AuditRow } from '../api';
import { hasKey } from '../i18n';
import { errorText, formatTime, useI18n } from '../i18n-context';
import { useSession } from '../session';
import { Alert, Email, Spinner } from '../components';

const PAGE = 50;

export function AuditPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const { user } = useSession();
  const tz = user.workspace.timezone;
  const [rows, setRows] = useState<AuditRow[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const load = async (cursor: string | null) => {
    setBusy(true);
    setError(null);
    try {
      const list = await api.audit(cursor, PAGE);
      setRows((old) => (cursor && old ? [...old, ...list.items] : list.items));
      setNext(list.next);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    void load(null);
  }, []);

  const actionName = (action: string) => {
    const key = `action.${action}`;
    return hasKey(key) ? t(key) : action;
  };

  return (
    <div class="stack">
      <p class="lead-small">{t('audit.intro', { tz })}</p>
      {error !== null && <Alert>{errorText(i18n, error)}</Alert>}
      {rows === null && error === null && <Spinner label={t('common.loading')} />}
      {rows !== null && rows.length === 0 && <p class="muted">{t('audit.empty')}</p>}
      {rows !== null && rows.length > 0 && (
        <div class="table-wrap">
          <table class="table table-audit table-stack" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">{t('audit.col.at')}</th>
                <th scope="col">{t('audit.col.action')}</th>
                <th scope="col">{t('audit.col.actor')}</th>
                <th scope="col">{t('audit.col.target')}</th>
                <th scope="col">{t('audit.col.ip')}</th>
                <th scope="col">{t('audit.col.detail')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td class="nowrap" data-label={t('audit.col.at')}>
                    <time dateTime={new Date(r.at).toISOString()}>{formatTime(i18n, r.at, tz, true)}</time>
                  </td>
                  <td data-label={t('audit.col.action')}>
                    <span class={`action action-${r.action.split('.')[0]}`} title={r.action}>
                      {actionName(r.action)}
                    </span>
                  </td>
                  <td class="cell-email" data-label={t('audit.col.actor')}>{r.actor ? <Email address={r.actor.email} /> : <span class="muted">{t('audit.system')}</span>}</td>
                  <td class="cell-email" data-label={t('audit.col.target')}>{r.target && r.target.includes('@') ? <Email address={r.target} /> : r.target}</td>
                  <td data-label={t('audit.col.ip')}>
                    <code>{r.ip}</code>
                  </td>
                  <td class="cell-detail" data-label={t('audit.col.detail')}>{r.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rows !== null && rows.length > 0 && (
        <div class="list-foot">
          <span class="muted small" aria-live="polite">
            {t('audit.count', { n: rows.length })}
          </span>
          {next ? (
            <button type="button" class="btn" disabled={busy} onClick={() => void load(next)}>
              {busy ? t('common.loading') : t('audit.loadMore')}
            </button>
          ) : (
            <span class="muted small">{t('audit.end')}</span>
          )}
        </div>
      )}
    </div>
  );
}
