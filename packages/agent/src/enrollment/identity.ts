import type { AgentConfig } from '../config.js';
import { readCredentialFile, writeCredentialFile, type StoredCredential } from './credential-file.js';
import { enrollWithToken, type EnrollOptions } from './enroll-client.js';

/** Who the agent is to the hub, and the site and labels enrolling gave it. */
export interface AgentIdentity {
  agentId: string;
  token: string;
  site: string;
  labels: Record<string, string>;
  /** Where it came from, for the log. */
  source: 'environment' | 'credential-file' | 'enrolled';
}

export interface IdentityDeps {
  enroll?: (opts: EnrollOptions) => ReturnType<typeof enrollWithToken>;
  now?: () => Date;
  onRetry?: EnrollOptions['onRetry'];
}

const fromStored = (c: StoredCredential, source: AgentIdentity['source']): AgentIdentity => ({
  agentId: c.agentId,
  token: c.credential,
  site: c.site,
  labels: c.labels,
  source,
});

/**
 * The agent's credential, in this order: AGENT_TOKEN (an admin minted it);
 * the credential file in AGENT_STATE_DIR (enrolled before: the enrollment
 * token is never needed again); else enrol once with the enrollment token and
 * store what the hub gave before using it, so a crash right after enrolling
 * does not spend another use of the token.
 */
export async function resolveIdentity(config: AgentConfig, deps: IdentityDeps = {}): Promise<AgentIdentity> {
  if (config.AGENT_TOKEN) {
    if (!config.AGENT_ID) throw new Error('AGENT_ID is required with AGENT_TOKEN');
    return { agentId: config.AGENT_ID, token: config.AGENT_TOKEN, site: '', labels: {}, source: 'environment' };
  }
  const stored = await readCredentialFile(config.AGENT_STATE_DIR);
  if (stored) {
    if (config.AGENT_ID && config.AGENT_ID !== stored.agentId)
      throw new Error(`AGENT_ID is ${config.AGENT_ID} but ${config.AGENT_STATE_DIR} holds the credential of ${stored.agentId}`);
    return fromStored(stored, 'credential-file');
  }
  if (!config.FLEETPLANE_ENROLLMENT_TOKEN)
    throw new Error(
      `no credential: set FLEETPLANE_ENROLLMENT_TOKEN (or --enrollment-token) to enrol, or AGENT_ID and AGENT_TOKEN; none is stored in ${config.AGENT_STATE_DIR}`,
    );
  const enroll = deps.enroll ?? enrollWithToken;
  const res = await enroll({
    hubUrl: config.HUB_URL,
    enrollmentToken: config.FLEETPLANE_ENROLLMENT_TOKEN,
    ...(config.AGENT_ID ? { agentId: config.AGENT_ID } : {}),
    ...(deps.onRetry ? { onRetry: deps.onRetry } : {}),
  });
  const credential: StoredCredential = { ...res, enrolledAt: (deps.now?.() ?? new Date()).toISOString() };
  await writeCredentialFile(config.AGENT_STATE_DIR, credential);
  return fromStored(credential, 'enrolled');
}
