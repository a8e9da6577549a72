import {
  type ApiResult,
  buildBridge,
  unwrapBridge,
  type WorkbenchApi,
  type WorkbenchBridge,
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

export function httpBridge(token: string | undefined, fetchImpl: typeof fetch = fetch): WorkbenchBridge {
  return buildBridge(async (channel, payload) => {
    const [capability, verb] = channel.split(':');
    const response = await fetchImpl(`/api/${capability}/${verb}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token ?? ''}` },
      body: payload === undefined ? '' : JSON.stringify(payload),
    });
    return (await response.json()) as ApiResult<unknown>;
  });
}

/** The one API object of the renderer: the preload's bridge in the desktop app, HTTP in browser mode. */
export function createApiClient(): WorkbenchApi {
  const bridge = window.api ?? httpBridge(takeToken(window.location, window.sessionStorage, window.history));
  return unwrapBridge(bridge);
}
