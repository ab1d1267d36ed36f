// The server's event stream (GET /api/v1/stream, server-sent events) shared by
// every page that wants live updates: one EventSource for the whole tab,
// opened when the first page subscribes and closed when the last leaves.
// The browser reconnects by itself after a dropped connection (the server
// says retry: 3000 and honours Last-Event-ID); when it gives up (an error
// answer rather than a dropped line) this file tries again later, quietly,
// waiting longer each time up to a minute.
import { useEffect, useRef } from 'preact/hooks';

export const STREAM_EVENTS = ['message.created', 'conversation.updated', 'conversation.created', 'import.progress'] as const;
/** 'stream.reopened': the connection came back after a break; events may have been missed. */
export type StreamEventType = (typeof STREAM_EVENTS)[number] | 'stream.reopened';
export type StreamHandler = (type: StreamEventType, data: Record<string, unknown>) => void;

const handlers = new Set<StreamHandler>();
let source: EventSource | null = null;
let retryTimer: number | null = null;
let retryDelay = 3000;
let broken = false;

function deliver(type: StreamEventType, raw: string) {
  let data: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object') data = parsed as Record<string, unknown>;
  } catch {
    return; // not JSON: nothing a page could act on
  }
  for (const h of [...handlers]) h(type, data);
}

function open() {
  if (source || typeof EventSource === 'undefined') return;
  const es = new EventSource('/api/v1/stream', { withCredentials: true });
  source = es;
  for (const type of STREAM_EVENTS) es.addEventListener(type, (e) => deliver(type, (e as MessageEvent<string>).data));
  // a server that sends unnamed events with the type inside the data
  es.onmessage = (e: MessageEvent<string>) => {
    try {
      const parsed = JSON.parse(e.data) as { type?: unknown };
      if (typeof parsed.type === 'string' && (STREAM_EVENTS as readonly string[]).includes(parsed.type)) {
        deliver(parsed.type as StreamEventType, e.data);
      }
    } catch {
      /* ignored */
    }
  };
  es.onopen = () => {
    retryDelay = 3000;
    if (broken) {
      broken = false;
      for (const h of [...handlers]) h('stream.reopened', {});
    }
  };
  es.onerror = () => {
    broken = true;
    if (es.readyState !== EventSource.CLOSED) return; // the browser is already reconnecting
    es.close();
    if (source === es) source = null;
    if (handlers.size === 0 || retryTimer !== null) return;
    retryTimer = window.setTimeout(() => {
      retryTimer = null;
      if (handlers.size > 0) open();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 60_000);
  };
}

function close() {
  if (retryTimer !== null) {
    window.clearTimeout(retryTimer);
    retryTimer = null;
  }
  source?.close();
  source = null;
}

export function subscribe(handler: StreamHandler): () => void {
  handlers.add(handler);
  open();
  return () => {
    handlers.delete(handler);
    if (handlers.size === 0) close();
  };
}

/** Calls HANDLER (the latest one given) for every event while the component is mounted. */
export function useStream(handler: StreamHandler): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => subscribe((type, data) => latest.current(type, data)), []);
}
