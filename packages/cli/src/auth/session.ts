import { ApiClient, type FetchFn } from '../api/client.js';
import { normaliseUrl } from '../config/config-file.js';
import { DEFAULT_CONTEXT } from '../config/paths.js';
import type { Profile } from '../config/profile.js';
import { describeOrigin } from '../config/settings.js';
import { CliError, NOT_LOGGED_IN, UsageError } from '../errors.js';

export { DEFAULT_URL } from '../config/profile.js';

export interface CliEnv {
  FLEETPLANE_URL?: string | undefined;
  FLEETPLANE_API_KEY?: string | undefined;
  FLEETPLANE_CONFIG?: string | undefined;
  FLEETPLANE_CONTEXT?: string | undefined;
  FLEETPLANE_OUTPUT?: string | undefined;
  XDG_CONFIG_HOME?: string | undefined;
}

/**
 * The client every command but login uses. FLEETPLANE_API_KEY (scripts, CI; environment only,
 * never a file) wins over a stored login and goes to the resolved URL; a stored login's tokens go
 * only to the URL that issued them.
 */
export async function authenticatedClient(profile: Profile, apiKey: string | undefined, fetchFn?: FetchFn): Promise<ApiClient> {
  const context = profile.context.value;
  if (apiKey) return new ApiClient(checkedUrl(profile), { kind: 'apiKey', key: apiKey }, fetchFn);
  const creds = await profile.store.load();
  if (!creds) {
    if (context === DEFAULT_CONTEXT) throw new CliError(NOT_LOGGED_IN);
    if (!profile.contexts.includes(context)) {
      throw new UsageError(
        `no context "${context}" (known: ${profile.contexts.join(', ')}): create it with fleetplane config set-context ${context} --url URL`,
      );
    }
    throw new CliError(`not logged in to context ${context}: run fleetplane --context ${context} login`);
  }
  const { url } = creds;
  // A URL chosen by a flag, the environment or a file must be the one the tokens came from.
  if (profile.url.origin.kind !== 'login' && profile.url.origin.kind !== 'default' && normaliseUrl(profile.url.value) !== url) {
    throw new CliError(
      `the login of context ${context} is for ${url}, not ${profile.url.value} (${describeOrigin(profile.url.origin)}): run fleetplane${context === DEFAULT_CONTEXT ? '' : ` --context ${context}`} login`,
    );
  }
  return new ApiClient(
    url,
    {
      kind: 'session',
      tokens: { accessToken: creds.accessToken, refreshToken: creds.refreshToken },
      onRotated: (tokens) => profile.store.save({ url, ...tokens }),
    },
    fetchFn,
  );
}

function checkedUrl(profile: Profile): string {
  const url = normaliseUrl(profile.url.value);
  if (!url) throw new UsageError(`gateway URL "${profile.url.value}" (${describeOrigin(profile.url.origin)}) is not an http:// or https:// URL`);
  return url;
}
