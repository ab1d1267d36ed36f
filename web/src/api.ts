// The one way the UI talks to the piazza server: JSON over fetch, with the
// session cookie (same origin) and the CSRF token that the server handed out
// at sign-in, set-up or GET /me, sent on every state-changing request. Errors
// become ApiError with the server's dotted code, so pages translate them by
// code rather than showing the server's English message.

export type Role = 'owner' | 'manager' | 'agent' | 'member' | 'consultant';
export const ROLES: Role[] = ['owner', 'manager', 'agent', 'member', 'consultant'];

export interface Workspace {
  id: number;
  name: string;
  slug: string;
  locale: 'it' | 'en';
  timezone: string;
}

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  locale: 'it' | 'en' | null;
  disabled: boolean;
  must_change_password: boolean;
  created_at: number;
  last_sign_in_at: number | null;
  workspace: Workspace;
}

export interface Token {
  id: number;
  name: string;
  prefix: string;
  user_id: number;
  created_at: number;
  last_used_at: number | null;
  revoked: boolean;
}

export interface AuditRow {
  id: number;
  at: number;
  action: string;
  actor: { id: number; email: string } | null;
  ip: string;
  target: string | null;
  detail: string | null;
}

export const STAGES = ['stranger', 'lead', 'prospect', 'customer', 'advocate', 'former'] as const;
export type Stage = (typeof STAGES)[number];
export const CONTACT_TYPES = ['customer', 'supplier', 'partner', 'consultant', 'press', 'candidate', 'employee'] as const;

export interface Identity {
  id: number;
  kind: string;
  value: string;
  original: string;
  label: string | null;
}

export interface Membership {
  id: number;
  name: string;
  title: string | null;
}

export interface Contact {
  id: number;
  kind: 'person' | 'organization';
  name: string;
  stage: Stage;
  type: string | null;
  owner: number | null;
  strength: number | null;
  last_contact_at: number | null;
  created_at: number;
  updated_at: number;
  notes?: string;
  strength_explanation?: string;
  identities?: Identity[];
  organizations?: Membership[];
  people?: Membership[];
  tags?: string[];
  custom_fields?: { field_id: number; name: string; type: string; value: string }[];
  consents?: Consent[];
}

export interface Consent {
  id: number;
  purpose: string;
  source: string;
  given_at: number;
  withdrawn_at: number | null;
}

export interface CustomField {
  id: number;
  name: string;
  type: 'text' | 'number' | 'date' | 'choice';
  choices: string[];
}

export interface TimelineEntry {
  id: number;
  contact_id: number;
  contact_name?: string | null;
  at: number;
  kind: string;
  channel: string | null;
  direction: 'in' | 'out' | null;
  duration_s: number | null;
  outcome: string | null;
  body: string | null;
  author: number | null;
  source_kind?: string | null;
  interaction: boolean;
  created_at: number;
}

/** One side of a duplicate suggestion: enough to tell the two apart. */
export interface DuplicateSide {
  id: number;
  kind: 'person' | 'organization';
  name: string;
  stage: Stage;
  type: string | null;
  owner: number | null;
  created_at: number;
  timeline_entries: number;
  has_notes: boolean;
  identities: { kind: string; value: string; original: string }[];
  organizations?: Membership[];
  people?: Membership[];
}

export interface Duplicate {
  id: number;
  reason: 'identity' | 'name';
  detail: string | null;
  created_at: number;
  a: DuplicateSide;
  b: DuplicateSide;
}

export interface Organization extends Omit<Contact, 'people'> {
  people: number;
}

export interface GoingColdRow {
  id: number;
  kind: 'person' | 'organization';
  name: string;
  stage: 'customer' | 'prospect';
  type: string | null;
  owner: number | null;
  strength: number;
  previous_strength: number | null;
  strength_explanation: string;
  last_contact_at: number | null;
  days_since: number;
  never_contacted: boolean;
  cold_days: number;
  reason: 'fell' | 'silent';
}

export interface GoingColdSettings {
  customer_days: number;
  prospect_days: number;
}

export const IMPORT_FORMATS = ['vcard', 'contacts-csv', 'linkedin', 'whatsapp', 'telegram', 'messenger', 'x', 'mbox', 'eml'] as const;
export type ImportStatus = 'parsing' | 'ready' | 'importing' | 'done' | 'failed' | 'discarded';

export interface ImportProblem {
  file: string;
  line: number;
  message: string;
  /** Its wording's code (src/import/problems.c), "import.other" for any other. */
  code?: string;
  /** The values put into the wording, in order. */
  args?: string[];
}

/** What an import did (summary) or would do (preview, with a sample). */
export interface ImportSummary {
  format: string;
  files: number;
  records: number;
  contacts_created: number;
  contacts_updated: number;
  contacts_unchanged: number;
  duplicates_suggested: number;
  skipped: number;
  dry_run: boolean;
  errors?: ImportProblem[];
  sample?: { name: string | null; organization: string | null; title: string | null; identities: { kind: string; value: string }[] }[];
  // Chats jobs (kind "chats") add these.
  files_refused?: number;
  conversations?: number;
  messages?: number;
  system_messages?: number;
  duplicates_skipped?: number;
  attachments?: number;
  contacts_matched?: number;
  first_message_at?: number | null;
  last_message_at?: number | null;
  per_file?: ChatImportFile[];
}

/** A participant of a chat export as the preview shows it. */
export interface ChatParticipant {
  key: string;
  name: string;
  handle: string | null;
  messages: number;
  me: boolean;
}

/** One file of a chats job (a LinkedIn export .zip gives two). */
export interface ChatImportFile {
  index: number;
  name: string;
  format: string | null;
  kind: 'chats' | 'contacts';
  status: 'ok' | 'refused';
  error: string | null;
  error_code?: string | null;
  error_args?: string[] | null;
  conversations: number;
  messages: number;
  system_messages: number;
  duplicates_skipped: number;
  attachments: number;
  records: number;
  contacts_created: number;
  contacts_matched: number;
  contacts_updated: number;
  skipped: number;
  first_message_at: number | null;
  last_message_at: number | null;
  errors: ImportProblem[];
  notes: string[];
  participants?: ChatParticipant[];
  participants_total?: number;
  conversation_ids?: number[];
}

/** Who in the company wrote in the chats: the confirm of a chats job. */
export interface ChatImportConfirm {
  me: { file: number; key: string; user_id: number | null }[];
}

export interface ImportUser {
  id: number;
  name: string;
  email: string;
}

export interface ImportJob {
  id: number;
  kind: string;
  format: string | null;
  status: ImportStatus;
  files: { name: string; size: number }[];
  progress: { unit: 'lines' | 'records' | 'bytes'; done: number; total: number };
  preview: ImportSummary | null;
  summary: ImportSummary | null;
  error: string | null;
  /** The code and values of error's wording (after "file:line: "), null when it has none. */
  error_code?: string | null;
  error_args?: string[] | null;
  created_by: number | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface ContactQuery {
  q?: string;
  stage?: string;
  type?: string;
  sort?: string;
  cursor?: string | null;
  kind?: string;
  owner?: string;
  tag?: string;
  strength_min?: string;
  strength_max?: string;
  going_cold?: string;
}

/** The list's filters by name, as the URL, saved views, bulk changes and exports carry them. */
export const FILTER_KEYS = ['q', 'stage', 'type', 'kind', 'owner', 'tag', 'strength_min', 'strength_max', 'going_cold', 'sort'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Partial<Record<FilterKey, string>>;

export interface OwnerChoice {
  id: number;
  name: string;
  role: Role;
  disabled: boolean;
}

export interface TagCount {
  name: string;
  contacts: number;
}

export interface SavedView {
  id: number;
  name: string;
  filters: Filters;
  shared: boolean;
  owner: number;
  owner_name: string;
  mine: boolean;
  created_at: number;
}

export interface BulkSet {
  tags_add?: string[];
  tags_remove?: string[];
  owner?: number | null;
  stage?: string;
}

/** The query string of a list of filters (empty values left out), without the '?'. */
export function filterQuery(f: Filters, extra: Record<string, string> = {}): string {
  return query({ ...f, ...extra }).replace(/^\?/, '');
}

// --- Goals and ROI: amounts are decimal currency units, hours decimal hours.

export const METRICS = ['conversions', 'revenue', 'clicks', 'contacts', 'response_time'] as const;
export type Metric = (typeof METRICS)[number];
export type GoalStatus = 'on_track' | 'at_risk' | 'missed' | 'reached';
export const CHANNELS = [
  'linkedin', 'facebook', 'instagram', 'x', 'tiktok', 'youtube', 'whatsapp', 'telegram',
  'newsletter', 'email', 'website', 'google_ads', 'meta_ads', 'print', 'event', 'other',
] as const;
export const MONEY_CATEGORIES = ['ads', 'consultant', 'tools', 'content', 'training'] as const;

export interface Progress {
  value: number;
  expected_to_date: number;
  forecast: number | null;
  percent: number | null;
  pace_percent: number | null;
  status: GoalStatus;
  days_elapsed: number;
  days_total: number;
  as_of: string;
}

export interface Objective {
  id: number;
  name: string;
  metric: Metric;
  event: string | null;
  stage: string | null;
  target: number;
  start: string;
  end: string;
  owner: number | null;
  department: string | null;
  channels: string[];
  funnel: string[];
  created_at: number;
  updated_at: number;
  progress: Progress;
}

export interface Campaign {
  id: number;
  objective_id: number;
  name: string;
  channel: string;
  start: string | null;
  end: string | null;
  budget: number | null;
  target: number | null;
  utm_source: string;
  utm_medium: string;
  utm_campaign: string;
  created_at: number;
}

export interface TrackedLink {
  id: number;
  campaign_id: number | null;
  slug: string;
  url: string;
  name: string | null;
  short_url: string;
  qr_png: string;
  qr_svg: string;
  created_at: number;
  clicks?: number;
  unique_visitors?: number;
}

export interface Investment {
  id: number;
  kind: 'money' | 'time';
  date: string;
  objective_id: number | null;
  campaign_id: number | null;
  amount: number | null;
  currency: string;
  category?: string;
  user_id?: number;
  hours?: number;
  rate?: number | null;
  activity?: string | null;
  note: string | null;
  created_by: number | null;
  created_at: number;
}

export interface ReportFigures {
  cost: number;
  cost_money: number;
  cost_time: number;
  hours: number;
  clicks: number;
  visits: number;
  conversions: number;
  value: number;
  cost_per_conversion: number | null;
  roi: number | null;
  conversion_rate: number | null;
  actual: number | null;
  expected: number | null;
  expected_to_date: number | null;
}

export interface ReportDay {
  date: string;
  /** response_time: that day's median (null without messages). */
  value: number | null;
  /** response_time: the median so far (null before any message). */
  cumulative: number | null;
  pace: number;
  conversions: number;
  clicks: number;
  cost: number;
  cumulative_cost: number;
  cumulative_value: number;
  roi: number | null;
}

export interface ResponseFigures {
  messages: number;
  unanswered: number;
  late: number;
  median_minutes: number | null;
}

export interface Report extends ReportFigures {
  objective: Objective;
  as_of: string;
  currency: string;
  hours_without_rate: number;
  unattributed_conversions: number;
  campaigns: (ReportFigures & { id: number; name: string; channel: string; budget: number | null })[];
  channels: (ReportFigures & { channel: string })[];
  funnel: { step: string; count: number; rate: number | null }[];
  series: ReportDay[];
  responses?: ResponseFigures & { channels: (ResponseFigures & { channel: string })[] };
  explanation: { text: string; it: string; en: string; shortfall_campaign_id: number | null } | null;
}

export interface Rate {
  user_id: number | null;
  role: string | null;
  rate: number;
  currency: string;
  updated_at: number;
}

export interface Timer {
  started_at: number;
  objective_id: number | null;
  campaign_id: number | null;
  activity: string | null;
  elapsed_seconds: number;
}

export interface ObjectiveInput {
  name: string;
  metric: Metric;
  event?: string;
  stage?: string;
  target: number;
  start: string;
  end: string;
  department?: string;
  channels?: string[];
  funnel?: string[];
}

export interface CampaignInput {
  name: string;
  objective_id: number;
  channel: string;
  budget?: number | null;
  target?: number | null;
  start?: string;
  end?: string;
}

export interface InvestmentInput {
  kind: 'money' | 'time';
  date?: string;
  amount?: number;
  currency?: string;
  category?: string;
  hours?: number;
  activity?: string;
  user_id?: number;
  objective_id?: number;
  campaign_id?: number;
  note?: string;
}

// ---------------------------------------------------------------- inbox
// The shared inbox (issue 4), typed after /work/wt/INBOX_API.md: times are
// ISO 8601 UTC strings here, unlike the contacts' millisecond numbers.

export const CONV_STATUSES = ['open', 'pending', 'snoozed', 'resolved'] as const;
export type ConvStatus = (typeof CONV_STATUSES)[number];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface Named {
  id: number;
  name: string;
}

export interface Conversation {
  id: number;
  channel: string;
  title: string;
  is_group: boolean;
  contact: Named | null;
  status: ConvStatus;
  snoozed_until: string | null;
  assignee: Named | null;
  team: Named | null;
  priority: Priority;
  labels: string[];
  message_count: number;
  first_message_at: string | null;
  last_message_at: string | null;
  last_message: { direction: MessageDirection; kind: MessageKind; sender_name: string | null; body: string } | null;
  awaiting_reply: boolean;
  first_response_at: string | null;
  resolved_at: string | null;
  sla: { due_at: string | null; breached: boolean; first_response_minutes: number | null; resolution_minutes: number | null };
  participants?: Participant[];
}

export interface Participant {
  id: number;
  name: string;
  handle: string;
  is_me: boolean;
  contact_id: number | null;
  user_id: number | null;
}

export type MessageDirection = 'incoming' | 'outgoing' | 'note';
export type MessageKind = 'text' | 'system' | 'media';

export interface Attachment {
  id: number;
  name: string;
  mime_type: string;
  size: number | null;
  url: string | null;
}

export interface Message {
  id: number;
  direction: MessageDirection;
  kind: MessageKind;
  body: string;
  sent_at: string;
  local_time: string | null;
  time_zone: string | null;
  sender: { name: string; participant_id: number; contact_id: number | null } | null;
  author: Named | null;
  sent_outside: boolean;
  edited: boolean;
  deleted: boolean;
  reply_to_id: number | null;
  attachments: Attachment[];
}

export interface InboxSummary {
  views: { mine: number; unassigned: number; all: number; breaching: number };
  status: Record<ConvStatus, number>;
  channels: Record<string, number>;
  labels: { name: string; count: number }[];
}

export interface ConversationQuery {
  view?: 'all' | 'mine' | 'unassigned';
  status?: string;
  channel?: string;
  label?: string;
  sla?: 'breaching';
  cursor?: string | null;
}

export interface ConversationChange {
  status?: ConvStatus;
  snoozed_until?: string | null;
  assignee_id?: number | null;
  team_id?: number | null;
  priority?: Priority;
  labels?: string[];
}

export interface CannedReply {
  id: number;
  shortcut: string;
  title: string;
  body: string;
  rendered: string;
}

export interface InboxLabel {
  id: number;
  name: string;
  color: string | null;
  count: number;
}

export interface SearchQuery {
  q: string;
  channel?: string;
  contact?: string;
  from?: string;
  to?: string;
  direction?: string;
  cursor?: string | null;
}

export interface SearchHit {
  message_id: number;
  conversation_id: number;
  channel: string;
  conversation_title: string;
  contact: Named | null;
  direction: MessageDirection;
  sent_at: string;
  sender_name: string | null;
  snippet: { text: string; match: boolean }[];
}

function query(params: Record<string, string | null | undefined>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}=${encodeURIComponent(v as string)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export interface List<T> {
  items: T[];
  next: string | null;
}

export interface SessionAnswer {
  user: User;
  csrf_token: string | null;
}

/** An error answer from the server, or 'network' when there was no answer. */
export class ApiError extends Error {
  status: number;
  code: string;
  field: string | null;
  /** Seconds from the Retry-After header, when the server gave one. */
  retryAfter: number | null;

  constructor(status: number, code: string, message: string, field: string | null = null, retryAfter: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfter = retryAfter;
  }
}

let csrfToken: string | null = null;
let onSessionLost: (() => void) | null = null;

/** Remembers the CSRF token to send with later state-changing requests. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request that needed a session gets 401 auth.required. */
export function setSessionLostHandler(handler: (() => void) | null): void {
  onSessionLost = handler;
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  return null;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Options {
  /** Do not treat 401 as a lost session (sign-in, boot). */
  quiet401?: boolean;
}

export async function request<T>(method: Method, path: string, body?: unknown, options: Options = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (err) {
    throw new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
  }

  if (response.status === 204) return undefined as T;

  let payload: unknown = null;
  const text = await response.text();
  if (text) {
    try {
      payload = JSON.parse(text);
    } catch {
      payload = null;
    }
  }

  if (!response.ok) {
    const error = (payload as { error?: { code?: unknown; message?: unknown; field?: unknown } } | null)?.error;
    const code = typeof error?.code === 'string' ? error.code : `http.${response.status}`;
    const message = typeof error?.message === 'string' ? error.message : response.statusText;
    const field = typeof error?.field === 'string' ? error.field : null;
    const apiError = new ApiError(response.status, code, message, field, parseRetryAfter(response.headers.get('Retry-After')));
    if (response.status === 401 && code === 'auth.required' && !options.quiet401 && onSessionLost) onSessionLost();
    throw apiError;
  }
  if (payload === null) throw new ApiError(response.status, 'response.bad_json', 'The server answered with no JSON');
  return payload as T;
}

/**
 * Uploads FILES as an import (multipart/form-data), reporting bytes sent to
 * ON_PROGRESS. XMLHttpRequest rather than fetch: only it reports upload
 * progress. Errors are ApiError, as with request().
 */
export function uploadImport(
  files: File[],
  format: string,
  onProgress: (sent: number, total: number) => void,
): { done: Promise<{ job: ImportJob }>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<{ job: ImportJob }>((resolve, reject) => {
    const form = new FormData();
    if (format) form.append('format', format);
    for (const f of files) form.append('file', f, f.name);
    xhr.open('POST', '/api/v1/imports');
    xhr.setRequestHeader('Accept', 'application/json');
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : 0);
    xhr.onerror = () => reject(new ApiError(0, 'network', 'the upload did not reach the server'));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'the upload was stopped'));
    xhr.onload = () => {
      let payload: unknown = null;
      try {
        payload = JSON.parse(xhr.responseText);
      } catch {
        payload = null;
      }
      if (xhr.status >= 200 && xhr.status < 300 && payload) {
        resolve(payload as { job: ImportJob });
        return;
      }
      const error = (payload as { error?: { code?: unknown; message?: unknown; field?: unknown } } | null)?.error;
      const code = typeof error?.code === 'string' ? error.code : `http.${xhr.status}`;
      const message = typeof error?.message === 'string' ? error.message : xhr.statusText;
      if (xhr.status === 401 && code === 'auth.required' && onSessionLost) onSessionLost();
      reject(new ApiError(xhr.status, code, message, typeof error?.field === 'string' ? error.field : null));
    };
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}

export const api = {
  setupNeeded: () => request<{ needed: boolean }>('GET', '/api/v1/setup', undefined, { quiet401: true }),
  setup: (body: {
    code: string;
    workspace_name: string;
    workspace_slug?: string;
    locale: 'it' | 'en';
    timezone: string;
    name: string;
    email: string;
    password: string;
  }) => request<SessionAnswer>('POST', '/api/v1/setup', body, { quiet401: true }),
  signIn: (body: { email: string; password: string; workspace?: string }) =>
    request<SessionAnswer>('POST', '/api/v1/session', body, { quiet401: true }),
  signOut: () => request<void>('DELETE', '/api/v1/session', undefined, { quiet401: true }),
  me: () => request<SessionAnswer>('GET', '/api/v1/me', undefined, { quiet401: true }),
  updateMe: (body: { locale?: 'it' | 'en'; name?: string }) => request<{ user: User }>('PATCH', '/api/v1/me', body),
  changePassword: (body: { current_password: string; new_password: string }) =>
    request<void>('POST', '/api/v1/me/password', body),
  users: (cursor: string | null = null) =>
    request<List<User>>('GET', `/api/v1/users?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
  addUser: (body: { email: string; name: string; role: Role }) =>
    request<{ user: User; temporary_password: string }>('POST', '/api/v1/users', body),
  updateUser: (id: number, body: { role?: Role; disabled?: boolean }) =>
    request<{ user: User }>('PATCH', `/api/v1/users/${id}`, body),
  tokens: () => request<List<Token>>('GET', '/api/v1/tokens?limit=200'),
  createToken: (name: string) => request<{ token: Token; secret: string }>('POST', '/api/v1/tokens', { name }),
  revokeToken: (id: number) => request<void>('DELETE', `/api/v1/tokens/${id}`),
  audit: (cursor: string | null, limit = 50) =>
    request<List<AuditRow>>(
      'GET',
      `/api/v1/audit?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    ),
  contacts: (q: ContactQuery, limit = 50) =>
    request<List<Contact>>(
      'GET',
      `/api/v1/contacts${query({
        q: q.q,
        stage: q.stage,
        type: q.type,
        kind: q.kind,
        owner: q.owner,
        tag: q.tag,
        strength_min: q.strength_min,
        strength_max: q.strength_max,
        going_cold: q.going_cold,
        sort: q.sort,
        cursor: q.cursor,
        limit: String(limit),
      })}`,
    ),
  contactOwners: () => request<List<OwnerChoice>>('GET', '/api/v1/contacts/owners'),
  tags: () => request<List<TagCount>>('GET', '/api/v1/tags'),
  bulk: (body: { ids?: number[]; filter?: Filters; set: BulkSet }) =>
    request<{ matched: number; changed: number }>('POST', '/api/v1/contacts/bulk', body),
  views: () => request<List<SavedView>>('GET', '/api/v1/views'),
  createView: (body: { name: string; filters: Filters; shared: boolean }) =>
    request<{ view: SavedView }>('POST', '/api/v1/views', body),
  deleteView: (id: number) => request<void>('DELETE', `/api/v1/views/${id}`),
  addIdentity: (id: number, body: { kind: string; value: string; label?: string }) =>
    request<{ contact: Contact }>('POST', `/api/v1/contacts/${id}/identities`, body),
  removeIdentity: (id: number, identityId: number) => request<void>('DELETE', `/api/v1/contacts/${id}/identities/${identityId}`),
  changeTags: (id: number, body: { add?: string[]; remove?: string[] }) =>
    request<{ contact: Contact }>('PATCH', `/api/v1/contacts/${id}/tags`, body),
  fields: () => request<List<CustomField>>('GET', '/api/v1/fields'),
  setFields: (id: number, body: Record<string, string | null>) =>
    request<{ contact: Contact }>('PATCH', `/api/v1/contacts/${id}/fields`, body),
  addConsent: (id: number, body: { purpose: string; source: string; given_at?: number }) =>
    request<{ contact: Contact }>('POST', `/api/v1/contacts/${id}/consents`, body),
  withdrawConsent: (id: number, consentId: number) =>
    request<{ contact: Contact }>('POST', `/api/v1/contacts/${id}/consents/${consentId}/withdraw`, {}),
  createContact: (body: {
    name: string;
    kind: 'person' | 'organization';
    stage?: string;
    type?: string;
    identities?: { kind: string; value: string }[];
  }) => request<{ contact: Contact }>('POST', '/api/v1/contacts', body),
  contact: (id: number) => request<{ contact: Contact }>('GET', `/api/v1/contacts/${id}`),
  updateContact: (id: number, body: { stage?: string; type?: string; notes?: string }) =>
    request<{ contact: Contact }>('PATCH', `/api/v1/contacts/${id}`, body),
  deleteContact: (id: number) => request<void>('DELETE', `/api/v1/contacts/${id}`),
  timeline: (id: number, cursor: string | null) =>
    request<List<TimelineEntry>>('GET', `/api/v1/contacts/${id}/timeline${query({ cursor, limit: '20' })}`),
  logInteraction: (
    id: number,
    body: { kind: 'call' | 'meeting' | 'note'; direction?: 'in' | 'out'; duration_s?: number; outcome?: string; body?: string },
  ) => request<{ entry: TimelineEntry }>('POST', `/api/v1/contacts/${id}/timeline`, body),
  duplicates: (cursor: string | null) => request<List<Duplicate>>('GET', `/api/v1/duplicates${query({ cursor, limit: '20' })}`),
  dismissDuplicate: (id: number) => request<void>('POST', `/api/v1/duplicates/${id}/dismiss`),
  mergeContacts: (keepId: number, otherId: number) =>
    request<{ contact: Contact }>('POST', `/api/v1/contacts/${keepId}/merge`, { other_id: otherId }),
  organizations: (q: string, cursor: string | null, limit = 50) =>
    request<List<Organization>>('GET', `/api/v1/organizations${query({ q, cursor, limit: String(limit) })}`),
  createOrganization: (body: { name: string; website?: string; stage?: string }) =>
    request<{ contact: Contact }>('POST', '/api/v1/organizations', body),
  organization: (id: number) => request<{ contact: Contact }>('GET', `/api/v1/organizations/${id}`),
  organizationTimeline: (id: number, cursor: string | null) =>
    request<List<TimelineEntry>>('GET', `/api/v1/organizations/${id}/timeline${query({ cursor, limit: '20' })}`),
  addMembership: (id: number, body: { organization_id?: number; organization?: string; title?: string }) =>
    request<{ contact: Contact }>('POST', `/api/v1/contacts/${id}/organizations`, body),
  removeMembership: (id: number, orgId: number) =>
    request<{ contact: Contact }>('DELETE', `/api/v1/contacts/${id}/organizations/${orgId}`),
  people: (q: string) => request<List<Contact>>('GET', `/api/v1/contacts${query({ kind: 'person', q, limit: '8' })}`),
  goingCold: (owner: 'me' | 'all', cursor: string | null) =>
    request<List<GoingColdRow>>('GET', `/api/v1/going-cold${query({ owner, cursor, limit: '50' })}`),
  goingColdSettings: () => request<GoingColdSettings>('GET', '/api/v1/settings/going-cold'),
  setGoingColdSettings: (body: Partial<GoingColdSettings>) =>
    request<GoingColdSettings>('PUT', '/api/v1/settings/going-cold', body),
  objectives: (cursor: string | null = null) =>
    request<List<Objective>>('GET', `/api/v1/objectives${query({ cursor, limit: '100' })}`),
  createObjective: (body: ObjectiveInput) => request<Objective>('POST', '/api/v1/objectives', body),
  objective: (id: number) => request<Objective>('GET', `/api/v1/objectives/${id}`),
  report: (id: number) => request<Report>('GET', `/api/v1/objectives/${id}/report`),
  campaigns: (objectiveId: number | null) =>
    request<List<Campaign>>('GET', `/api/v1/campaigns${query({ objective_id: objectiveId ? String(objectiveId) : null, limit: '200' })}`),
  updateObjective: (id: number, body: Partial<ObjectiveInput>) => request<Objective>('PATCH', `/api/v1/objectives/${id}`, body),
  createCampaign: (body: CampaignInput) => request<Campaign>('POST', '/api/v1/campaigns', body),
  updateCampaign: (id: number, body: Partial<CampaignInput>) => request<Campaign>('PATCH', `/api/v1/campaigns/${id}`, body),
  updateLink: (id: number, body: { url?: string; name?: string }) => request<TrackedLink>('PATCH', `/api/v1/links/${id}`, body),
  links: (campaignId: number) => request<List<TrackedLink>>('GET', `/api/v1/links${query({ campaign_id: String(campaignId), limit: '200' })}`),
  createLink: (body: { url: string; name?: string; campaign_id?: number }) => request<TrackedLink>('POST', '/api/v1/links', body),
  investments: (objectiveId: number, cursor: string | null = null) =>
    request<List<Investment>>('GET', `/api/v1/investments${query({ objective_id: String(objectiveId), cursor, limit: '100' })}`),
  createInvestment: (body: InvestmentInput) => request<Investment>('POST', '/api/v1/investments', body),
  deleteInvestment: (id: number) => request<void>('DELETE', `/api/v1/investments/${id}`),
  rates: () => request<List<Rate>>('GET', '/api/v1/rates'),
  setRate: (body: { role?: string; user_id?: number; rate: number | null }) => request<Rate>('PUT', '/api/v1/rates', body),
  timer: () => request<{ timer: Timer | null }>('GET', '/api/v1/timer'),
  startTimer: (body: { objective_id?: number; campaign_id?: number; activity?: string }) =>
    request<{ timer: Timer }>('POST', '/api/v1/timer/start', body),
  stopTimer: () => request<Investment>('POST', '/api/v1/timer/stop', {}),
  imports: (limit = 10) => request<List<ImportJob>>('GET', `/api/v1/imports?limit=${limit}`),
  importJob: (id: number) => request<{ job: ImportJob; users?: ImportUser[] }>('GET', `/api/v1/imports/${id}`),
  confirmImport: (id: number, body?: ChatImportConfirm) =>
    request<{ job: ImportJob }>('POST', `/api/v1/imports/${id}/confirm`, body),
  discardImport: (id: number) => request<{ job: ImportJob }>('DELETE', `/api/v1/imports/${id}`),
  inboxSummary: () => request<InboxSummary>('GET', '/api/v1/inbox/summary'),
  conversations: (q: ConversationQuery, limit = 50) =>
    request<List<Conversation>>(
      'GET',
      `/api/v1/conversations${query({ view: q.view, status: q.status, channel: q.channel, label: q.label, sla: q.sla, cursor: q.cursor, limit: String(limit) })}`,
    ),
  conversation: (id: number) => request<Conversation>('GET', `/api/v1/conversations/${id}`),
  updateConversation: (id: number, body: ConversationChange) =>
    request<Conversation>('PATCH', `/api/v1/conversations/${id}`, body),
  messages: (id: number, cursor: string | null, limit = 50) =>
    request<List<Message>>('GET', `/api/v1/conversations/${id}/messages${query({ cursor, limit: String(limit) })}`),
  postMessage: (id: number, body: { kind: 'note' | 'reply'; body: string }) =>
    request<Message>('POST', `/api/v1/conversations/${id}/messages`, body),
  cannedReplies: (conversationId: number | null) =>
    request<CannedReply[] | List<CannedReply>>(
      'GET',
      `/api/v1/canned-replies${query({ conversation: conversationId === null ? null : String(conversationId) })}`,
    ),
  createCannedReply: (body: { shortcut: string; title: string; body: string }) =>
    request<CannedReply>('POST', '/api/v1/canned-replies', body),
  deleteCannedReply: (id: number) => request<void>('DELETE', `/api/v1/canned-replies/${id}`),
  inboxLabels: () => request<List<InboxLabel>>('GET', '/api/v1/labels'),
  search: (q: SearchQuery, limit = 20) =>
    request<List<SearchHit>>(
      'GET',
      `/api/v1/search${query({ q: q.q, channel: q.channel, contact: q.contact, from: q.from, to: q.to, direction: q.direction, cursor: q.cursor, limit: String(limit) })}`,
    ),
};
