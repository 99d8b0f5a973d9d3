import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { AgentCredential } from './credentials.js';

export interface GatewayEnrollment {
  gatewayUrl: string;
  /** Signs in with these... */
  email?: string;
  password?: string;
  /** ...or uses this bearer token (an access token or an API key with agents:write). */
  bearer?: string;
}

const loginSchema = z.object({ accessToken: z.string() });
const enrolledSchema = z.object({ token: z.string() });

/**
 * Mints one credential per agent through the gateway's admin route (`POST /api/v1/agents`), the way an
 * operator enrolls an agent by hand. A few requests at a time, waiting out a 429's Retry-After, so a
 * fleet of a few thousand fits under the gateway's write limit without failing half-way.
 */
export async function enrollThroughGateway(opts: GatewayEnrollment, agents: Array<{ id: string; site: string }>, parallel = 4): Promise<AgentCredential[]> {
  const bearer = opts.bearer ?? (await login(opts));
  const out: AgentCredential[] = new Array<AgentCredential>(agents.length);
  let next = 0;
  const worker = async () => {
    while (next < agents.length) {
      const i = next++;
      const a = agents[i]!;
      out[i] = { id: a.id, site: a.site, token: await enrollOne(opts.gatewayUrl, bearer, a) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, agents.length) }, worker));
  return out;
}

async function login(opts: GatewayEnrollment): Promise<string> {
  if (!opts.email || !opts.password) throw new Error('enrolling through the gateway needs an email and password, or a bearer token');
  const res = await fetch(`${opts.gatewayUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: opts.email, password: opts.password }),
  });
  if (!res.ok) throw new Error(`gateway login: HTTP ${res.status} ${await res.text()}`);
  return loginSchema.parse(await res.json()).accessToken;
}

async function enrollOne(gatewayUrl: string, bearer: string, agent: { id: string; site: string }): Promise<string> {
  for (let tries = 0; ; tries++) {
    const res = await fetch(`${gatewayUrl}/api/v1/agents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
      body: JSON.stringify({ id: agent.id, site: agent.site }),
    });
    if (res.status === 429 && tries < 20) {
      await sleep(Math.max(1, Number(res.headers.get('retry-after') ?? '1')) * 1_000);
      continue;
    }
    if (!res.ok) throw new Error(`enrolling ${agent.id}: HTTP ${res.status} ${await res.text()}`);
    return enrolledSchema.parse(await res.json()).token;
  }
}
