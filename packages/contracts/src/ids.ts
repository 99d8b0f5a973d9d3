import { z } from 'zod';

// Agent and execution ids become NATS subject tokens and URL path segments, so
// they are restricted to characters that are safe in both.
const subjectToken = () => z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ -');
export const agentIdSchema = subjectToken();
export const executionIdSchema = subjectToken();

/** W3C trace context, carried by hand where no library propagates it (WebSocket, BullMQ). */
export const traceCarrierSchema = z.object({
  traceparent: z.string().max(128),
  tracestate: z.string().max(512).optional(),
});
export type TraceCarrier = z.infer<typeof traceCarrierSchema>;
