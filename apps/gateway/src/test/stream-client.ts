import WebSocket from 'ws';
import { wsDataToText } from '@fleetplane/contracts';
import type { GatewayStack } from './gateway-stack.js';

/** A live-update client of the integration tests: every frame it received, in order, and how its socket closed. */
export interface StreamClient {
  send(frame: unknown): void;
  /** Resolves with the next received frame not yet taken. */
  next(): Promise<unknown>;
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens `/api/v1/stream` on the stack's gateway (terminated when the stack stops); nothing is sent yet. */
export async function openStreamClient(stack: GatewayStack): Promise<StreamClient> {
  const ws = new WebSocket(`${stack.base.replace('http', 'ws')}/api/v1/stream`);
  const frames: unknown[] = [];
  const waiting: ((f: unknown) => void)[] = [];
  ws.on('message', (data) => {
    const f: unknown = JSON.parse(wsDataToText(data));
    const w = waiting.shift();
    if (w) w(f);
    else frames.push(f);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  stack.onStop(() => Promise.resolve().then(() => ws.terminate()));
  return {
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    next: () => (frames.length > 0 ? Promise.resolve(frames.shift()) : new Promise((resolve) => waiting.push(resolve))),
    closed,
  };
}
