import {
  API_EVENTS,
  type ApiResult,
  buildBridge,
  type EventBridge,
  unwrapBridge,
  type WorkbenchBridge,
  type WorkbenchClient,
} from '../../preload/contract.ts';

const TOKEN_KEY = 'workbench.token';

/** Browser mode: the token arrives once in the URL, is kept for the tab, and removed from the address bar. */
export function takeToken(location: Location, storage: Storage, history: History): string | undefined {
  const params = new URLSearchParams(location.search);
  const fromUrl = params.get('token');
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl);
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
    return fromUrl;
  }
  return storage.getItem(TOKEN_KEY) ?? undefined;
}

type Listener = (payload: never) => void;

/**
 * Browser mode's events: one EventSource on `/api/events` (it cannot send headers, so the token rides in the
 * query), opened on the first subscription; EventSource reconnects by itself after a dropped connection.
 */
export function sseEvents(token: string | undefined, open: (url: string) => EventSource): EventBridge {
  const listeners = new Map<string, Set<Listener>>();
  let source: EventSource | undefined;
  const ensure = () => {
    if (source) return;
    source = open(`/api/events?token=${encodeURIComponent(token ?? '')}`);
    for (const name of Object.values(API_EVENTS)) {
      source.addEventListener(name, (e) => {
        const payload = JSON.parse((e as MessageEvent<string>).data) as never;
        for (const l of listeners.get(name) ?? []) l(payload);
      });
    }
  };
  return {
    subscribe(event, listener) {
      ensure();
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      set.add(listener as Listener);
      return () => {
        set.delete(listener as Listener);
      };
    },
  };
}

export function httpBridge(
  token: string | undefined,
  fetchImpl: typeof fetch = fetch,
  openEvents: (url: string) => EventSource = (url) => new EventSource(url),
): WorkbenchBridge {
  return buildBridge(
    async (channel, payload) => {
      const [capability, verb] = channel.split(':');
      const response = await fetchImpl(`/api/${capability}/${verb}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token ?? ''}` },
        body: payload === undefined ? '' : JSON.stringify(payload),
      });
      return (await response.json()) as ApiResult<unknown>;
    },
    sseEvents(token, openEvents),
  );
}

/** The one API object of the renderer: the preload's bridge in the desktop app, HTTP in browser mode. */
export function createApiClient(): WorkbenchClient {
  const bridge = window.api ?? httpBridge(takeToken(window.location, window.sessionStorage, window.history));
  return unwrapBridge(bridge);
}
