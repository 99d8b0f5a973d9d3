import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { AGENT_PROTOCOL_VERSION } from './limits.js';
import { agentToHubSchema, hubToAgentSchema, type AgentToHub, type HubToAgent } from './messages.js';

export type DecodeResult<T> = { ok: true; message: T } | { ok: false; reason: string };

function decodeWith<S extends z.ZodType>(schema: S, raw: string): DecodeResult<z.infer<S>> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'frame is not JSON' };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'frame';
    return { ok: false, reason: `${where}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, message: parsed.data };
}

export const decodeAgentFrame = (raw: string): DecodeResult<AgentToHub> => decodeWith(agentToHubSchema, raw);
export const decodeHubFrame = (raw: string): DecodeResult<HubToAgent> => decodeWith(hubToAgentSchema, raw);

type Envelope = 'v' | 'id' | 'ts';
type WithoutEnvelope<T> = T extends unknown ? Omit<T, Envelope> : never;

/** Fills in the envelope (version, id, timestamp) so callers state only what the message says. */
export function frame<T extends AgentToHub | HubToAgent>(body: WithoutEnvelope<T>): string {
  return JSON.stringify({ v: AGENT_PROTOCOL_VERSION, id: randomUUID(), ts: new Date().toISOString(), ...body });
}
