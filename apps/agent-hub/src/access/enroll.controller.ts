import { Body, Controller, Headers, HttpCode, HttpException, HttpStatus, Logger, Post, Res } from '@nestjs/common';
import { z } from 'zod';
import { agentIdSchema } from '@fleetplane/contracts';
import { InjectConfig } from '@fleetplane/service-kit';
import type { HubConfig } from '../config.js';
import { HubMetrics } from '../metrics/hub-metrics.js';
import type { EnrollOutcome } from './enroll-outcome.js';
import { EnrollmentGate } from './enrollment-gate.js';
import { EnrollmentService, type EnrollRefusal } from './enrollment.service.js';

export const ENROLL_PATH = 'v1/enroll';

const enrollBody = z.object({
  enrollmentToken: z.string({ message: 'is required' }).min(1, 'is required').max(256),
  agentId: agentIdSchema.optional(),
});

export interface EnrollResponse {
  agentId: string;
  /** The agent's own credential (HELLO's token): shown only here. */
  credential: string;
  /** The token's site and labels, which the agent reports in HELLO unless configured otherwise. */
  site: string;
  labels: Record<string, string>;
}

// One message for every token that cannot be used, except that the holder of a
// real token may learn why (it already holds the secret).
const REFUSALS: Record<EnrollRefusal, { status: number; message: string }> = {
  invalid: { status: 401, message: 'invalid enrollment token' },
  revoked: { status: 401, message: 'enrollment token revoked' },
  expired: { status: 401, message: 'enrollment token expired' },
  exhausted: { status: 401, message: 'enrollment token used up' },
  exists: { status: 409, message: 'agent already enrolled; an admin deletes it (or issues a token that allows re-enrollment) first' },
  agent_revoked: { status: 409, message: 'agent revoked; an admin deletes it before it can enrol again' },
};

const refuse = (status: number, message: string) => new HttpException({ statusCode: status, error: HttpStatus[status] ?? 'Error', message }, status);

/** Only what it needs of Express's response. */
interface HeaderSink {
  setHeader(name: string, value: string): void;
}

/**
 * POST /v1/enroll on the agents' public port: an enrollment token in, the
 * agent's own credential out. Not behind the gateway, so this is where
 * enrollments are bounded (body size, enrollments in flight), logged and
 * counted by outcome.
 */
@Controller()
export class EnrollController {
  private readonly log = new Logger('Enrollment');
  private readonly gate: EnrollmentGate;
  private readonly maxBodyBytes: number;
  private readonly retryAfter: string;

  constructor(
    private readonly enrollment: EnrollmentService,
    private readonly metrics: HubMetrics,
    @InjectConfig() config: HubConfig,
  ) {
    this.gate = new EnrollmentGate(config.ENROLL_MAX_IN_FLIGHT);
    this.maxBodyBytes = config.ENROLL_MAX_BODY_BYTES;
    this.retryAfter = String(config.ENROLL_RETRY_AFTER_SECONDS);
  }

  @Post(ENROLL_PATH)
  @HttpCode(201)
  async enroll(
    @Body() body: unknown,
    @Headers('content-length') contentLength: string | undefined,
    @Res({ passthrough: true }) res: HeaderSink,
  ): Promise<EnrollResponse> {
    // Express's JSON parser already caps bodies at 100 KiB (413); this is the tighter, configured cap.
    if (Number(contentLength ?? 0) > this.maxBodyBytes) throw this.refused('too_large', 413, `request body over ${this.maxBodyBytes} bytes`);
    const parsed = enrollBody.safeParse(body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw this.refused('bad_request', 400, `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
    }
    const { enrollmentToken, agentId } = parsed.data;
    let ran;
    try {
      ran = await this.gate.run(() => this.enrollment.enroll(enrollmentToken, agentId));
    } catch (err) {
      this.metrics.enrollment('error');
      this.log.error(`enrollment failed: ${(err as Error).message}`);
      throw refuse(503, 'enrollment is unavailable; retry later');
    }
    if (!ran) {
      res.setHeader('Retry-After', this.retryAfter);
      throw this.refused('busy', 503, 'too many enrollments in progress; retry later');
    }
    const result = ran.value;
    if (!result.ok) {
      const { status, message } = REFUSALS[result.reason];
      this.log.warn(`enrollment of ${agentId ?? '(new id)'} refused: ${result.reason}`);
      throw this.refused(result.reason, status, message);
    }
    this.metrics.enrollment(result.reenrolled ? 'reenrolled' : 'enrolled');
    this.log.log(`agent ${result.agentId} ${result.reenrolled ? 're-enrolled' : 'enrolled'} with token ${enrollmentToken.slice(0, 16)}`);
    return { agentId: result.agentId, credential: result.credential, site: result.site, labels: result.labels };
  }

  private refused(outcome: EnrollOutcome, status: number, message: string): HttpException {
    this.metrics.enrollment(outcome);
    return refuse(status, message);
  }
}
