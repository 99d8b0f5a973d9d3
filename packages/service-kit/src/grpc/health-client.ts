import { credentials, makeGenericClientConstructor, type Client, type ClientReadableStream } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

type HealthStub = Client & {
  check(req: { service: string }, opts: { deadline: Date }, cb: (err: Error | null, res: { status: ServingStatus }) => void): void;
  watch(req: { service: string }): ClientReadableStream<{ status: ServingStatus }>;
};

/**
 * A `grpc.health.v1.Health` client, as Kubernetes' gRPC probe or grpc-health-probe
 * would call it: for tests and tools. `service` '' asks about the server as a whole.
 */
export class HealthClient {
  private readonly stub: HealthStub;

  constructor(address: string) {
    const Ctor = makeGenericClientConstructor(healthService, 'Health');
    this.stub = new Ctor(address, credentials.createInsecure()) as unknown as HealthStub;
  }

  check(service = '', deadlineMs = 3_000): Promise<ServingStatus> {
    return new Promise((resolve, reject) =>
      this.stub.check({ service }, { deadline: new Date(Date.now() + deadlineMs) }, (err, res) => (err ? reject(err) : resolve(res.status))),
    );
  }

  /** The statuses a Watch stream reports, until `stop()`. */
  watch(service = ''): { statuses: ServingStatus[]; until(status: ServingStatus, timeoutMs?: number): Promise<void>; stop(): void } {
    const statuses: ServingStatus[] = [];
    const waiters: Array<() => void> = [];
    const call = this.stub.watch({ service });
    call.on('data', (m: { status: ServingStatus }) => {
      statuses.push(m.status);
      for (const w of waiters.splice(0)) w();
    });
    call.on('error', () => undefined);
    const until = (status: ServingStatus, timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`Watch(${service}) saw ${statuses.join(', ') || 'nothing'}, never ${status}`)), timeoutMs);
        const test = () => {
          if (statuses.at(-1) === status) {
            clearTimeout(timer);
            resolve();
          } else waiters.push(test);
        };
        test();
      });
    return { statuses, until, stop: () => call.cancel() };
  }

  close(): void {
    this.stub.close();
  }
}
