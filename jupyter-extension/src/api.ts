import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import type { RunEvent } from '@cellpipe/core';

/** A past or running run as the server extension lists it. */
export interface RunSummary {
  runId: string;
  notebookPath: string;
  state: string;
  startedAt?: string;
  elapsedMs?: number;
  metrics?: Record<string, Record<string, unknown>>;
  /** Steps that failed, so a failed run says where. */
  failedSteps?: string[];
  /** Where it ran: local runs come from their records, cluster runs from this server's events. */
  backend?: 'local' | 'argo';
}

/** What `POST /cellpipe/runs` accepts; the server fills defaults from nothing else. */
export interface RunRequest {
  path: string;
  backend: 'local' | 'argo';
  jobs?: number;
  cache?: boolean;
  /** Local runs: start steps from warm processes (the engine keeps them between runs). */
  warm?: boolean;
  parameters?: Record<string, unknown>;
  kubeContext?: string;
  namespace?: string;
  image?: string;
}

/** Calls `<base_url>/cellpipe/<endpoint>` with Jupyter's auth token and XSRF handling; throws the server's one-line message. */
export async function requestAPI<T>(endpoint: string, init: RequestInit = {}): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'cellpipe', endpoint);
  const response = await ServerConnection.makeRequest(url, init, settings);
  const text = await response.text();
  const body = text ? Private.parse(text) : {};
  if (!response.ok) {
    const message = (body as { message?: string }).message ?? response.statusText;
    throw new Error(`cellpipe: ${message}`);
  }
  return body as T;
}

/** Opens the event stream; `onEvent` gets every `RunEvent` of every run started on this server. */
export function connectEvents(onEvent: (event: RunEvent) => void, onClose: () => void): WebSocket {
  const settings = ServerConnection.makeSettings();
  let url = URLExt.join(settings.wsUrl, 'cellpipe', 'events');
  if (settings.token) url += `?token=${encodeURIComponent(settings.token)}`;
  const socket = new settings.WebSocket(url);
  socket.onmessage = (message: MessageEvent) => {
    const parsed = Private.parse(String(message.data)) as { event?: RunEvent };
    if (parsed.event) onEvent(parsed.event);
  };
  socket.onclose = () => onClose();
  return socket;
}

namespace Private {
  export function parse(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      return { message: text.split('\n')[0] };
    }
  }
}
