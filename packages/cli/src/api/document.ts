import type { components, operations } from '../generated/openapi.js';

// The gateway's OpenAPI document as TypeScript, generated at build from
// apps/gateway/dist/openapi.json (`pnpm generate`, src/generated/ is not committed).

/** A component schema of the document, by name: `DocSchema<'Agent'>`. */
export type DocSchema<N extends keyof components['schemas']> = components['schemas'][N];

/** The query parameters of an operation, by operationId. */
export type DocQuery<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>;

/** The JSON request body of an operation, by operationId. */
export type DocBody<Op extends keyof operations> = NonNullable<operations[Op]['requestBody']> extends { content: { 'application/json': infer B } } ? B : never;
