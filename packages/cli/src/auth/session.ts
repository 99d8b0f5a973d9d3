import { ApiClient, type FetchFn } from '../api/client.js';
import { CliError, NOT_LOGGED_IN } from '../errors.js';
import type { CredentialStore } from './credentials.js';

export const DEFAULT_URL = 'http://127.0.0.1:4000';

export interface CliEnv {
  FLEETPLANE_URL?: string | undefined;
  FLEETPLANE_API_KEY?: string | undefined;
  FLEETPLANE_CONFIG?: string | undefined;
}

/**
 * The client every command but login uses. FLEETPLANE_API_KEY (scripts, CI) wins over a
 * stored login; a stored login's tokens go only to the URL that issued them.
 */
export async function authenticatedClient(env: CliEnv, store: CredentialStore, fetchFn?: FetchFn): Promise<ApiClient> {
  if (env.FLEETPLANE_API_KEY) {
    return new ApiClient(env.FLEETPLANE_URL || DEFAULT_URL, { kind: 'apiKey', key: env.FLEETPLANE_API_KEY }, fetchFn);
  }
  const creds = await store.load();
  if (!creds) throw new CliError(NOT_LOGGED_IN);
  const { url } = creds;
  return new ApiClient(
    url,
    {
      kind: 'session',
      tokens: { accessToken: creds.accessToken, refreshToken: creds.refreshToken },
      onRotated: (tokens) => store.save({ url, ...tokens }),
    },
    fetchFn,
  );
}
