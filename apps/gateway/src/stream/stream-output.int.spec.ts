import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streams, subjects, type ExecutionOutput } from '@fleetplane/contracts';
import { callGateway, startGatewayStack, type GatewayStack } from '../test/gateway-stack.js';
import { openStreamClient, type StreamClient } from '../test/stream-client.js';

// The live stream's output push against the built gateway and a real NATS with JetStream: the
// test stores chunks in the COMMAND_OUTPUT stream as agent-hub does (a JetStream publish, acked),
// and the gateway, subscribed with core NATS only while a client follows the execution, pushes them.

const ADMIN = { email: 'stream-output-admin@example.com', password: 'admin-password-1234' };
const VIEWER = { email: 'stream-output-viewer@example.com', password: 'viewer-password-1234' };

let stack: GatewayStack;
let nc: NatsConnection;
let viewerToken: string;

const chunk = (executionId: string, seq: number, text: string, stream: 'stdout' | 'stderr' = 'stdout'): ExecutionOutput => ({
  executionId,
  agentId: 'agent-1',
  stream,
  seq,
  offset: seq * 100,
  data: Buffer.from(text).toString('base64'),
});

/** A JetStream publish over the core connection: the stream's PubAck says it was stored. */
async function storeChunk(c: unknown, executionId: string): Promise<void> {
  const ack = (await nc.request(subjects.executionOutput(executionId), JSON.stringify(c), { timeout: 5_000 })).json<{ stream?: string; error?: unknown }>();
  expect(ack).toMatchObject({ stream: streams.commandOutput.name });
}

async function followingClient(executionId: string): Promise<StreamClient> {
  const client = await openStreamClient(stack);
  client.send({ type: 'auth', token: viewerToken });
  expect(await client.next()).toEqual({ type: 'ready' });
  client.send({ type: 'subscribe_output', executionId });
  expect(await client.next()).toEqual({ type: 'output_subscribed', executionId });
  return client;
}

beforeAll(async () => {
  stack = await startGatewayStack({ admin: ADMIN });
  nc = await connect({ servers: stack.natsUrl });
  const created = await nc.request(
    `$JS.API.STREAM.CREATE.${streams.commandOutput.name}`,
    JSON.stringify({ name: streams.commandOutput.name, subjects: [...streams.commandOutput.subjects] }),
    { timeout: 5_000 },
  );
  expect(created.json<{ error?: unknown }>().error).toBeUndefined();
  const admin = (await callGateway<{ accessToken: string }>(stack.base, 'POST', '/api/v1/auth/login', { body: ADMIN })).body.accessToken;
  expect((await callGateway(stack.base, 'POST', '/api/v1/users', { token: admin, body: { ...VIEWER, role: 'viewer' } })).status).toBe(201);
  viewerToken = (await callGateway<{ accessToken: string }>(stack.base, 'POST', '/api/v1/auth/login', { body: VIEWER })).body.accessToken;
});

afterAll(async () => {
  await nc?.close();
  await stack?.stop();
});

describe('live output on /api/v1/stream', () => {
  it("pushes a followed execution's chunks in order, only that execution's, until unsubscribed", async () => {
    const client = await followingClient('exec-live-1');
    await storeChunk(chunk('exec-live-1', 0, 'hello\n'), 'exec-live-1');
    await storeChunk(chunk('exec-other', 0, 'not followed\n'), 'exec-other');
    // Not an output chunk: the gateway drops it (parsed by its schema) instead of passing it on.
    await storeChunk({ executionId: 'exec-live-1', data: 'not base64!' }, 'exec-live-1');
    await storeChunk(chunk('exec-live-1', 1, 'oops\n', 'stderr'), 'exec-live-1');
    expect(await client.next()).toEqual({ type: 'execution.output', ...chunk('exec-live-1', 0, 'hello\n') });
    expect(await client.next()).toEqual({ type: 'execution.output', ...chunk('exec-live-1', 1, 'oops\n', 'stderr') });

    client.send({ type: 'unsubscribe_output', executionId: 'exec-live-1' });
    expect(await client.next()).toEqual({ type: 'output_unsubscribed', executionId: 'exec-live-1' });
    await storeChunk(chunk('exec-live-1', 2, 'after\n'), 'exec-live-1');
    // The next frame is the answer to this subscribe, not the chunk stored after the unsubscribe.
    client.send({ type: 'subscribe', agentId: 'agent-1' });
    expect(await client.next()).toEqual({ type: 'subscribed', agentId: 'agent-1' });
  });

  it('gives every client following the same execution each chunk', async () => {
    const [a, b] = [await followingClient('exec-live-2'), await followingClient('exec-live-2')];
    await storeChunk(chunk('exec-live-2', 0, 'both\n'), 'exec-live-2');
    expect(await a.next()).toMatchObject({ type: 'execution.output', seq: 0 });
    expect(await b.next()).toMatchObject({ type: 'execution.output', seq: 0 });
  });

  it('refuses a subscribe_output whose execution id is not one subject token, naming the field', async () => {
    const client = await openStreamClient(stack);
    client.send({ type: 'auth', token: viewerToken });
    expect(await client.next()).toEqual({ type: 'ready' });
    client.send({ type: 'subscribe_output', executionId: 'fleet.>' });
    expect(await client.next()).toMatchObject({ type: 'error', field: 'executionId' });
    expect((await client.closed).code).toBe(1002);
  });
});
