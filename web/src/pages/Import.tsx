// Importing contacts and chats from the browser: choose files (drag and drop
// or the file picker) and a format, upload them with a progress bar, watch the
// server read them as a dry run, look at the preview (what will be created,
// completed, left unchanged, skipped, each problem as file:line), then
// confirm or discard; a second progress bar while the import runs, and the
// result with a link to the contacts. Chat exports (a "chats" job) add a
// step before confirming: each file's participants, with the company's side
// ticked as the server guessed it, each mapped to a user of the workspace or
// to "someone of the company"; the result links to the inbox. The page keeps the job's id in the
// address (?job=ID), so a reload or a link comes back to the same import.
// Agents and up import; the server enforces it too.
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  api,
  IMPORT_FORMATS,
  uploadImport,
  type ChatImportConfirm,
  type ChatImportFile,
  type ImportJob,
  type ImportSummary,
  type ImportUser,
} from '../api';
import { hasKey, type Key } from '../i18n';
import { errorText, formatTime, problemText, refusalText, useI18n, type I18n } from '../i18n-context';
import { useSession } from '../session';
import { Link } from '../router';
import { Alert, Field, Icon, PageTitle, Spinner, Status } from '../components';
import { canEdit } from './Contacts';

const MAX_FILES = 20;
const POLL_MS = 400;

function tr(i18n: I18n, key: string, fallback: string): string {
  return hasKey(key) ? i18n.t(key as Key) : fallback;
}

function bytes(i18n: I18n, n: number): string {
  const fmt = (v: number, unit: string) =>
    `${new Intl.NumberFormat(i18n.locale === 'it' ? 'it-IT' : 'en-GB', { maximumFractionDigits: 1 }).format(v)} ${unit}`;
  if (n >= 1024 * 1024) return fmt(n / (1024 * 1024), 'MB');
  if (n >= 1024) return fmt(n / 1024, 'KB');
  return fmt(n, 'B');
}

function num(i18n: I18n, n: number): string {
  return new Intl.NumberFormat(i18n.locale === 'it' ? 'it-IT' : 'en-GB').format(n);
}

function jobIdFromAddress(): number | null {
  const v = new URLSearchParams(window.location.search).get('job');
  const id = v ? Number(v) : NaN;
  return Number.isInteger(id) && id > 0 ? id : null;
}

function ProgressBar({ done, total, label }: { done: number; total: number; label: string }) {
  const pct = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0;
  return (
    <div class="progress-block">
      <div
        class="progress"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-valuetext={label}
        data-testid="import-progress"
      >
        <span style={{ width: `${pct}%` }} />
      </div>
      <p class="muted small">{label}</p>
    </div>
  );
}

export function ImportPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const { user } = useSession();
  const title = t('im.title');
  const allowed = canEdit(user.role);

  const [files, setFiles] = useState<File[]>([]);
  const [format, setFormat] = useState('');
  const [dragging, setDragging] = useState(false);
  const [upload, setUpload] = useState<{ sent: number; total: number } | null>(null);
  const [job, setJob] = useState<ImportJob | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [recent, setRecent] = useState<ImportJob[] | null>(null);
  const [users, setUsers] = useState<ImportUser[]>([]);
  const inputRef = useRef<HTMLInputElement>(null);
  const abortRef = useRef<(() => void) | null>(null);

  // Come back to the import named in the address.
  useEffect(() => {
    const id = jobIdFromAddress();
    if (id && allowed) {
      api
        .importJob(id)
        .then((a) => {
          setJob(a.job);
          setUsers(a.users ?? []);
        })
        .catch(setError);
    }
  }, []);

  // Follow the job while the server works on it.
  const status = job?.status;
  useEffect(() => {
    if (!job || (status !== 'parsing' && status !== 'importing')) return undefined;
    let stopped = false;
    const timer = window.setInterval(() => {
      api
        .importJob(job.id)
        .then((a) => {
          if (stopped) return;
          setJob(a.job);
          setUsers(a.users ?? []);
        })
        .catch((err) => {
          if (!stopped) setError(err);
        });
    }, POLL_MS);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, [job?.id, status]);

  // Recent imports, refreshed whenever a job ends.
  useEffect(() => {
    if (!allowed) return;
    api
      .imports(8)
      .then((l) => setRecent(l.items))
      .catch(() => setRecent([]));
  }, [status]);

  useEffect(() => () => abortRef.current?.(), []);

  const showJob = (j: ImportJob | null) => {
    setJob(j);
    const to = j ? `/contacts/import?job=${j.id}` : '/contacts/import';
    if (window.location.pathname + window.location.search !== to) window.history.replaceState(null, '', to);
  };

  const addFiles = (list: FileList | null) => {
    if (!list) return;
    setError(null);
    setFiles((old) => {
      const merged = [...old];
      for (const f of Array.from(list)) {
        if (!merged.some((m) => m.name === f.name && m.size === f.size)) merged.push(f);
      }
      return merged.slice(0, MAX_FILES);
    });
  };

  const start = async () => {
    if (busy) return;
    if (files.length === 0) {
      setError({ code: 'import.no_file' });
      return;
    }
    setError(null);
    setBusy(true);
    setUpload({ sent: 0, total: files.reduce((n, f) => n + f.size, 0) });
    const up = uploadImport(files, format, (sent, total) => setUpload({ sent, total }));
    abortRef.current = up.abort;
    try {
      const answer = await up.done;
      setFiles([]);
      showJob(answer.job);
    } catch (err) {
      setError(err);
    } finally {
      abortRef.current = null;
      setUpload(null);
      setBusy(false);
    }
  };

  const act = async (what: 'confirm' | 'discard', body?: ChatImportConfirm) => {
    if (!job || busy) return;
    setBusy(true);
    setError(null);
    try {
      const answer = what === 'confirm' ? await api.confirmImport(job.id, body) : await api.discardImport(job.id);
      setJob(answer.job);
    } catch (err) {
      setError(err);
      api
        .importJob(job.id)
        .then((a) => setJob(a.job))
        .catch(() => undefined);
    } finally {
      setBusy(false);
    }
  };

  const again = () => {
    setError(null);
    showJob(null);
  };

  return (
    <div class="page">
      <p class="back-link">
        <Link href="/contacts">← {t('im.back')}</Link>
      </p>
      <header class="page-head">
        <span class="page-icon" aria-hidden="true">
          <Icon name="contacts" size={24} />
        </span>
        <PageTitle title={title}>{title}</PageTitle>
      </header>
      <p class="lead-small">{t('im.lead')}</p>

      {!allowed ? (
        <Alert>{t('im.readOnly')}</Alert>
      ) : (
        <div class="stack-large" data-testid="import-page">
          {error !== null && <Alert>{errorText(i18n, error)}</Alert>}

          {!job && (
            <section class="card" aria-labelledby="im-choose">
              <h2 class="h3 visually-hidden" id="im-choose">
                {t('im.choose')}
              </h2>
              <div
                class={`dropzone${dragging ? ' dropzone-over' : ''}`}
                data-testid="import-dropzone"
                onDragOver={(e) => {
                  e.preventDefault();
                  setDragging(true);
                }}
                onDragLeave={() => setDragging(false)}
                onDrop={(e) => {
                  e.preventDefault();
                  setDragging(false);
                  addFiles(e.dataTransfer?.files ?? null);
                }}
              >
                <p class="dropzone-title">{t('im.drop')}</p>
                <p class="muted">{t('im.dropOr')}</p>
                <button type="button" class="btn" disabled={busy} onClick={() => inputRef.current?.click()}>
                  {t('im.choose')}
                </button>
                <input
                  ref={inputRef}
                  id="im-files"
                  type="file"
                  multiple
                  accept=".vcf,.vcard,.csv,.txt,.zip,.json,.js,.mbox,.eml,text/vcard,text/csv,text/plain,application/zip"
                  class="visually-hidden"
                  aria-label={t('im.choose')}
                  onChange={(e) => {
                    addFiles(e.currentTarget.files);
                    e.currentTarget.value = '';
                  }}
                />
                <p class="hint">{t('im.dropHint')}</p>
              </div>

              {files.length > 0 && (
                <div class="stack">
                  <h3 class="section-title">{t('im.chosen')}</h3>
                  <ul class="file-list" data-testid="import-files">
                    {files.map((f, i) => (
                      <li key={`${f.name}-${f.size}`}>
                        <span class="file-name">{f.name}</span>
                        <span class="muted small">{bytes(i18n, f.size)}</span>
                        <button
                          type="button"
                          class="btn btn-small btn-link"
                          disabled={busy}
                          aria-label={t('im.remove', { name: f.name })}
                          onClick={() => setFiles((old) => old.filter((_, k) => k !== i))}
                        >
                          ✕
                        </button>
                      </li>
                    ))}
                  </ul>
                </div>
              )}

              <Field id="im-format" label={t('im.format')} class="field-narrow">
                {(aria) => (
                  <select {...aria} value={format} disabled={busy} onChange={(e) => setFormat(e.currentTarget.value)}>
                    <option value="">{t('im.format.auto')}</option>
                    {IMPORT_FORMATS.map((f) => (
                      <option key={f} value={f}>
                        {tr(i18n, `im.format.${f}`, f)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>

              {upload && (
                <ProgressBar
                  done={upload.sent}
                  total={upload.total}
                  label={t('im.uploading', { done: bytes(i18n, upload.sent), total: bytes(i18n, upload.total) })}
                />
              )}
              <div class="form-actions">
                <button type="button" class="btn btn-primary" disabled={busy} onClick={() => void start()}>
                  {t('im.upload')}
                </button>
              </div>
            </section>
          )}

          {job && (
            <JobView
              job={job}
              busy={busy}
              users={users}
              onConfirm={(body) => void act('confirm', body)}
              onDiscard={() => void act('discard')}
              onAgain={again}
            />
          )}

          <section aria-labelledby="im-recent">
            <h2 class="section-title" id="im-recent">
              {t('im.recent')}
            </h2>
            {recent === null && <Spinner label={t('common.loading')} />}
            {recent !== null && recent.length === 0 && <p class="muted">{t('im.recentEmpty')}</p>}
            {recent !== null && recent.length > 0 && (
              <ul class="plain-list recent-imports">
                {recent.map((r) => (
                  <li key={r.id}>
                    <a
                      href={`/contacts/import?job=${r.id}`}
                      onClick={(e) => {
                        e.preventDefault();
                        setError(null);
                        api
                          .importJob(r.id)
                          .then((a) => {
                            setUsers(a.users ?? []);
                            showJob(a.job);
                          })
                          .catch(setError);
                      }}
                    >
                      {r.files.map((f) => f.name).join(', ')}
                    </a>{' '}
                    <span class="badge">{tr(i18n, `im.status.${r.status}`, r.status)}</span>{' '}
                    <span class="muted small">{formatTime(i18n, r.created_at, user.workspace.timezone)}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      )}
    </div>
  );
}

function Counts({ s }: { s: ImportSummary }) {
  const i18n = useI18n();
  const { t } = i18n;
  const rows: [Key, number, string][] = [
    ['im.created', s.contacts_created, 'created'],
    ['im.updated', s.contacts_updated, 'updated'],
    ['im.unchanged', s.contacts_unchanged, 'unchanged'],
    ['im.duplicates', s.duplicates_suggested, 'duplicates'],
    ['im.skipped', s.skipped, 'skipped'],
  ];
  return (
    <dl class="import-counts" data-testid="import-counts">
      {rows.map(([key, n, id]) => (
        <div key={id} class={`import-count import-count-${id}${n > 0 ? ' nonzero' : ''}`} data-testid={`count-${id}`}>
          <dt>{t(key)}</dt>
          <dd>{num(i18n, n)}</dd>
        </div>
      ))}
    </dl>
  );
}

function Problems({ s }: { s: ImportSummary }) {
  const i18n = useI18n();
  const { t } = i18n;
  const errors = s.errors ?? [];
  if (errors.length === 0) return null;
  return (
    <section aria-labelledby="im-problems" class="stack">
      <h3 class="section-title" id="im-problems">
        {t('im.errorsTitle', { n: errors.length })}
      </h3>
      <p class="muted small">{t('im.errorsLead')}</p>
      <div class="table-wrap problems">
        <table class="table" data-testid="import-errors">
          <thead>
            <tr>
              <th scope="col">{t('im.errFile')}</th>
              <th scope="col">{t('im.errLine')}</th>
              <th scope="col">{t('im.errMessage')}</th>
            </tr>
          </thead>
          <tbody>
            {errors.map((e, i) => (
              <tr key={i}>
                <td class="nowrap">{e.file}</td>
                <td>{e.line}</td>
                <td>{problemText(i18n, e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function JobView({
  job,
  busy,
  users,
  onConfirm,
  onDiscard,
  onAgain,
}: {
  job: ImportJob;
  busy: boolean;
  users: ImportUser[];
  onConfirm: (body?: ChatImportConfirm) => void;
  onDiscard: () => void;
  onAgain: () => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const p = job.progress;
  const progressLabel =
    p.unit === 'bytes'
      ? t('im.progressBytes', { done: bytes(i18n, p.done), total: bytes(i18n, p.total) })
      : t(p.unit === 'records' ? 'im.progressRecords' : 'im.progressLines', {
          done: num(i18n, p.done),
          total: num(i18n, p.total),
        });
  const fileNames = job.files.map((f) => f.name).join(', ');

  if (job.status === 'parsing' || job.status === 'importing') {
    return (
      <section class="card" aria-labelledby="im-working" data-testid={`import-${job.status}`}>
        <h2 class="h3" id="im-working">
          {job.status === 'parsing' ? t('im.parsing') : t('im.importing')}
        </h2>
        <p class="muted small">{fileNames}</p>
        <ProgressBar done={p.done} total={p.total} label={progressLabel} />
        <div class="form-actions">
          <button type="button" class="btn" disabled={busy} onClick={onDiscard}>
            {t('im.cancel')}
          </button>
        </div>
      </section>
    );
  }

  if (job.kind === 'chats' && job.status === 'ready' && job.preview) {
    return <ChatPreview job={job} s={job.preview} busy={busy} users={users} onConfirm={onConfirm} onDiscard={onDiscard} />;
  }

  if (job.kind === 'chats' && job.status === 'done' && job.summary) {
    return <ChatDone s={job.summary} onAgain={onAgain} />;
  }

  if (job.status === 'ready' && job.preview) {
    const s = job.preview;
    return (
      <section class="card stack" aria-labelledby="im-preview" data-testid="import-preview">
        <h2 class="h3" id="im-preview">
          {t('im.previewTitle')}
        </h2>
        <p>
          {t('im.previewLead', {
            records: num(i18n, s.records),
            files: s.files === 1 ? t('im.file') : t('im.files', { n: s.files }),
          })}{' '}
          <span class="muted small">({fileNames})</span>
        </p>
        <Counts s={s} />
        {s.sample && s.sample.length > 0 && (
          <section aria-labelledby="im-sample" class="stack">
            <h3 class="section-title" id="im-sample">
              {t('im.sampleTitle')}
            </h3>
            <div class="table-wrap">
              <table class="table" data-testid="import-sample">
                <thead>
                  <tr>
                    <th scope="col">{t('im.sampleName')}</th>
                    <th scope="col">{t('im.sampleOrg')}</th>
                    <th scope="col">{t('im.sampleReach')}</th>
                  </tr>
                </thead>
                <tbody>
                  {s.sample.map((c, i) => (
                    <tr key={i}>
                      <td>{c.name ?? '—'}</td>
                      <td>{[c.organization, c.title].filter(Boolean).join(' · ') || '—'}</td>
                      <td class="cell-detail">{c.identities.map((x) => x.value).join(', ') || '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        )}
        <Problems s={s} />
        <div class="form-actions">
          <button type="button" class="btn btn-primary" disabled={busy} onClick={() => onConfirm()} data-testid="import-confirm">
            {s.contacts_created > 0 ? t('im.confirm', { n: num(i18n, s.contacts_created) }) : t('im.confirmNothingNew')}
          </button>
          <button type="button" class="btn" disabled={busy} onClick={onDiscard}>
            {t('im.discard')}
          </button>
        </div>
      </section>
    );
  }

  if (job.status === 'done' && job.summary) {
    const s = job.summary;
    return (
      <section class="card stack" aria-labelledby="im-done" data-testid="import-done">
        <h2 class="h3" id="im-done">
          {t('im.doneTitle')}
        </h2>
        <Status>
          {t('im.doneLead', {
            created: num(i18n, s.contacts_created),
            updated: num(i18n, s.contacts_updated),
            unchanged: num(i18n, s.contacts_unchanged),
          })}
        </Status>
        <Counts s={s} />
        <Problems s={s} />
        <div class="form-actions">
          <Link href="/contacts" class="btn btn-primary">
            {t('im.seeContacts')}
          </Link>
          <button type="button" class="btn" onClick={onAgain}>
            {t('im.again')}
          </button>
        </div>
      </section>
    );
  }

  if (job.status === 'failed') {
    return (
      <section class="card stack" aria-labelledby="im-failed" data-testid="import-failed">
        <h2 class="h3" id="im-failed">
          {t('im.failedTitle')}
        </h2>
        <Alert>
          <code class="problem-line">{refusalText(i18n, job.error, job.error_code, job.error_args)}</code>
        </Alert>
        <p>{t('im.failedLead')}</p>
        <div class="form-actions">
          <button type="button" class="btn btn-primary" onClick={onAgain}>
            {t('im.again')}
          </button>
        </div>
      </section>
    );
  }

  return (
    <section class="card stack" aria-labelledby="im-discarded" data-testid="import-discarded">
      <h2 class="h3 visually-hidden" id="im-discarded">
        {t('im.status.discarded')}
      </h2>
      <Status>{job.error ?? t('im.discarded')}</Status>
      <div class="form-actions">
        <button type="button" class="btn btn-primary" onClick={onAgain}>
          {t('im.again')}
        </button>
      </div>
    </section>
  );
}

function conversations(i18n: I18n, n: number): string {
  return n === 1 ? i18n.t('im.chat.oneConversation') : i18n.t('im.chat.nConversations', { n: num(i18n, n) });
}

function dateRange(i18n: I18n, from: number | null | undefined, to: number | null | undefined, tz: string): string {
  if (from == null || to == null) return '—';
  const a = formatTime(i18n, from, tz);
  const b = formatTime(i18n, to, tz);
  return a === b ? a : `${a} – ${b}`;
}

function ChatCounts({ f }: { f: ChatImportFile | ImportSummary }) {
  const i18n = useI18n();
  const { t } = i18n;
  const rows: [Key, number, string][] = [
    ['im.chat.conversations', f.conversations ?? 0, 'conversations'],
    ['im.chat.messages', f.messages ?? 0, 'messages'],
    ['im.chat.duplicates', f.duplicates_skipped ?? 0, 'duplicates'],
    ['im.chat.contactsCreated', f.contacts_created ?? 0, 'created'],
    ['im.chat.contactsMatched', f.contacts_matched ?? 0, 'matched'],
    ['im.skipped', f.skipped ?? 0, 'skipped'],
  ];
  return (
    <dl class="import-counts" data-testid="import-counts">
      {rows.map(([key, n, id]) => (
        <div key={id} class={`import-count import-count-${id}${n > 0 ? ' nonzero' : ''}`} data-testid={`count-${id}`}>
          <dt>{t(key)}</dt>
          <dd>{num(i18n, n)}</dd>
        </div>
      ))}
    </dl>
  );
}

interface Choice {
  me: boolean;
  user: number | null;
}

/*
 * The participants step: per file, who is who. The participants the server
 * took as the company's side come ticked and mapped to whoever imports (it is
 * usually their own phone's export); a participant ticked by hand starts as
 * "someone of the company, no user".
 */
function ChatPreview({
  job,
  s,
  busy,
  users,
  onConfirm,
  onDiscard,
}: {
  job: ImportJob;
  s: ImportSummary;
  busy: boolean;
  users: ImportUser[];
  onConfirm: (body?: ChatImportConfirm) => void;
  onDiscard: () => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const { user } = useSession();
  const files = s.per_file ?? [];
  const mine = users.some((u) => u.id === user.id) ? user.id : null;
  const [choices, setChoices] = useState<Record<string, Choice>>(() => {
    const init: Record<string, Choice> = {};
    for (const f of files) {
      for (const p of f.participants ?? []) init[`${f.index}\u0000${p.key}`] = { me: p.me, user: p.me ? mine : null };
    }
    return init;
  });
  const choice = (file: number, key: string): Choice => choices[`${file}\u0000${key}`] ?? { me: false, user: null };
  const setChoice = (file: number, key: string, c: Choice) => setChoices((old) => ({ ...old, [`${file}\u0000${key}`]: c }));
  const confirm = () => {
    const me: ChatImportConfirm['me'] = [];
    for (const f of files) {
      for (const p of f.participants ?? []) {
        const c = choice(f.index, p.key);
        if (c.me) me.push({ file: f.index, key: p.key, user_id: c.user });
      }
    }
    onConfirm({ me });
  };
  const tz = user.workspace.timezone;
  const fileNames = job.files.map((f) => f.name).join(', ');

  return (
    <section class="card stack" aria-labelledby="im-preview" data-testid="import-preview">
      <h2 class="h3" id="im-preview">
        {t('im.previewTitle')}
      </h2>
      <p>
        {t('im.chat.previewLead', {
          messages: num(i18n, s.messages ?? 0),
          conversations: conversations(i18n, s.conversations ?? 0),
          files: s.files === 1 ? t('im.file') : t('im.files', { n: s.files }),
        })}{' '}
        <span class="muted small">({fileNames})</span>
      </p>
      {files.map((f) => (
        <section key={f.index} class="stack import-chat-file" aria-labelledby={`im-file-${f.index}`} data-testid={`import-file-${f.index}`}>
          <h3 class="section-title" id={`im-file-${f.index}`}>
            {f.name} <span class="badge">{f.format ? tr(i18n, `im.format.${f.format}`, f.format) : '—'}</span>
          </h3>
          {f.status === 'refused' ? (
            <Alert>
              <p>{t('im.chat.refused')}</p>
              <code class="problem-line">{refusalText(i18n, f.error, f.error_code, f.error_args)}</code>
            </Alert>
          ) : f.kind === 'contacts' ? (
            <p>
              {t('im.chat.contactsFile', {
                records: num(i18n, f.records),
                created: num(i18n, f.contacts_created),
                updated: num(i18n, f.contacts_updated),
              })}
            </p>
          ) : (
            <>
              <ChatCounts f={f} />
              <p class="muted small" data-testid="import-dates">
                {t('im.chat.dates', { range: dateRange(i18n, f.first_message_at, f.last_message_at, tz) })}
              </p>
              {(f.participants ?? []).length > 0 && (
                <fieldset class="stack participants-step">
                  <legend class="section-title">{t('im.chat.whoTitle')}</legend>
                  <p class="muted small">{t('im.chat.whoLead')}</p>
                  <div class="table-wrap">
                    <table class="table" data-testid="import-participants">
                      <thead>
                        <tr>
                          <th scope="col">{t('im.chat.ours')}</th>
                          <th scope="col">{t('im.chat.participant')}</th>
                          <th scope="col">{t('im.chat.sent')}</th>
                          <th scope="col">{t('im.chat.user')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {(f.participants ?? []).map((p) => {
                          const c = choice(f.index, p.key);
                          const id = `im-p-${f.index}-${p.key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
                          return (
                            <tr key={p.key} data-testid="import-participant">
                              <td>
                                <input
                                  type="checkbox"
                                  id={id}
                                  checked={c.me}
                                  disabled={busy}
                                  onChange={(e) => setChoice(f.index, p.key, { ...c, me: e.currentTarget.checked })}
                                />
                              </td>
                              <td>
                                <label for={id}>{p.name}</label>
                                {p.handle && p.handle !== p.name && <span class="muted small"> {p.handle}</span>}
                              </td>
                              <td>{num(i18n, p.messages)}</td>
                              <td>
                                <select
                                  aria-label={t('im.chat.userFor', { name: p.name })}
                                  disabled={busy || !c.me}
                                  value={c.user === null ? '' : String(c.user)}
                                  onChange={(e) => {
                                    const v = e.currentTarget.value;
                                    setChoice(f.index, p.key, { ...c, user: v === '' ? null : Number(v) });
                                  }}
                                >
                                  <option value="">{t('im.chat.noUser')}</option>
                                  {users.map((u) => (
                                    <option key={u.id} value={String(u.id)}>
                                      {u.name}
                                    </option>
                                  ))}
                                </select>
                              </td>
                            </tr>
                          );
                        })}
                      </tbody>
                    </table>
                  </div>
                  {(f.participants_total ?? 0) > (f.participants ?? []).length && (
                    <p class="muted small">
                      {t('im.chat.moreParticipants', { n: num(i18n, (f.participants_total ?? 0) - (f.participants ?? []).length) })}
                    </p>
                  )}
                </fieldset>
              )}
            </>
          )}
          {f.errors.length > 0 && <Problems s={{ ...s, errors: f.errors }} />}
        </section>
      ))}
      <div class="form-actions">
        <button type="button" class="btn btn-primary" disabled={busy} onClick={confirm} data-testid="import-confirm">
          {(s.messages ?? 0) > 0 ? t('im.chat.confirm', { n: num(i18n, s.messages ?? 0) }) : t('im.confirmNothingNew')}
        </button>
        <button type="button" class="btn" disabled={busy} onClick={onDiscard}>
          {t('im.discard')}
        </button>
      </div>
    </section>
  );
}

function ChatDone({ s, onAgain }: { s: ImportSummary; onAgain: () => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const ids = (s.per_file ?? []).flatMap((f) => f.conversation_ids ?? []);
  const href = ids.length === 1 ? `/inbox?conversation=${ids[0]}` : '/inbox';
  const refused = (s.per_file ?? []).filter((f) => f.status === 'refused');
  return (
    <section class="card stack" aria-labelledby="im-done" data-testid="import-done">
      <h2 class="h3" id="im-done">
        {t('im.doneTitle')}
      </h2>
      <Status>
        {t('im.chat.doneLead', {
          messages: num(i18n, s.messages ?? 0),
          conversations: conversations(i18n, s.conversations ?? 0),
          duplicates: num(i18n, s.duplicates_skipped ?? 0),
        })}
      </Status>
      <ChatCounts f={s} />
      {refused.map((f) => (
        <Alert key={f.index}>
          <p>{t('im.chat.refusedDone', { name: f.name })}</p>
          <code class="problem-line">{refusalText(i18n, f.error, f.error_code, f.error_args)}</code>
        </Alert>
      ))}
      <Problems s={s} />
      <div class="form-actions">
        <Link href={href} class="btn btn-primary">
          {t('im.chat.openInbox')}
        </Link>
        <button type="button" class="btn" onClick={onAgain}>
          {t('im.again')}
        </button>
      </div>
    </section>
  );
}
