import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTcpBalancer, until, type TcpBalancer } from './index.js';

/** A backend that answers every connection with its name. */
async function backend(name: string, port: number): Promise<{ server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.write(name);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, sockets };
}

/** Connects through the balancer; resolves the first data (the backend's name) and the socket. */
function ask(port: number): Promise<{ name: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('data', (d) => resolve({ name: d.toString(), socket }));
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('closed before an answer')));
  });
}

describe('startTcpBalancer', () => {
  let ports: number[];
  let a: Awaited<ReturnType<typeof backend>>;
  let b: Awaited<ReturnType<typeof backend>>;
  let lb: TcpBalancer;

  beforeAll(async () => {
    ports = [await freePort(), await freePort()];
    a = await backend('a', ports[0]!);
    b = await backend('b', ports[1]!);
    lb = await startTcpBalancer({ backends: ports });
  });

  afterAll(async () => {
    await lb?.stop();
    a?.server.close();
    b?.server.close();
  });

  it('hands connections to the backends in turn, skips a dead one, and closes the connections a dead one held', async () => {
    const first = await Promise.all([ask(lb.port), ask(lb.port), ask(lb.port), ask(lb.port)]);
    expect(first.map((r) => r.name).sort()).toEqual(['a', 'a', 'b', 'b']);

    const onA = first.filter((r) => r.name === 'a').map((r) => new Promise<void>((resolve) => r.socket.once('close', () => resolve())));
    await new Promise<void>((resolve) => {
      a.server.close(() => resolve());
      for (const s of a.sockets) s.destroy();
    });
    await Promise.all(onA); // a's clients are told: they reconnect

    const after = await Promise.all([ask(lb.port), ask(lb.port), ask(lb.port)]);
    expect(after.map((r) => r.name)).toEqual(['b', 'b', 'b']);
    expect(lb.handed.get(ports[1]!)).toBe(5);
    for (const r of [...first, ...after]) r.socket.destroy();
  });

  it('freezes open connections without closing them, and delivers what was held back on thaw', async () => {
    const echoPort = await freePort();
    const echo = createServer((s) => s.pipe(s));
    await new Promise<void>((resolve) => echo.listen(echoPort, '127.0.0.1', resolve));
    const frozenLb = await startTcpBalancer({ backends: [echoPort] });
    const socket = connect({ host: '127.0.0.1', port: frozenLb.port });
    const received: string[] = [];
    socket.on('data', (d) => received.push(d.toString()));
    const roundTrip = async (text: string) => {
      socket.write(text);
      await until(
        `echo of ${text}`,
        () => Promise.resolve(received.join('')),
        (all) => all.endsWith(text),
        5_000,
      );
    };
    await roundTrip('one');

    frozenLb.freeze();
    let closed = false;
    socket.once('close', () => (closed = true));
    socket.write('two');
    await new Promise((r) => setTimeout(r, 300));
    expect(received.join('')).toBe('one');
    expect(closed).toBe(false);

    frozenLb.thaw();
    await until(
      'the held-back echo',
      () => Promise.resolve(received.join('')),
      (all) => all === 'onetwo',
      5_000,
    );
    await roundTrip('three');
    socket.destroy();
    await frozenLb.stop();
    echo.close();
  });
});
