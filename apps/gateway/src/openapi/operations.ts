import { z } from 'zod';
import { agentSummary } from '../agents/agent-filters.schemas.js';
import { agentIdParam, agentPage, agentView, enrollAgentBody, enrolledAgent, listAgentsQuery } from '../agents/agents.schemas.js';
import { apiKeyList, apiKeyView, createApiKeyBody, createdApiKey, uuidParam } from '../api-keys/api-keys.schemas.js';
import { auditEntryView, auditExportQuery, auditPage, auditQuery } from '../audit/audit.schemas.js';
import { loginBody, refreshBody, tokenPair } from '../auth/auth.schemas.js';
import type { Role } from '../auth/roles.js';
import type { Scope } from '../auth/scopes.js';
import {
  cancelCommandResult,
  cancelExecutionResult,
  commandIdParam,
  commandPage,
  commandSummary,
  commandView,
  executionIdParam,
  executionPage,
  executionView,
  listCommandsQuery,
  listExecutionsQuery,
  outputQuery,
  outputView,
  retryCommandBody,
  submitCommandBody,
  targetSelector,
} from '../commands/commands.schemas.js';
import {
  createEnrollmentTokenBody,
  createdEnrollmentToken,
  enrollmentTokenIdParam,
  enrollmentTokenPage,
  enrollmentTokenView,
  listEnrollmentTokensQuery,
} from '../enrollment-tokens/enrollment-tokens.schemas.js';
import { statisticsView } from '../statistics/statistics.schemas.js';
import {
  agentTelemetryParam,
  latestSampleView,
  telemetryHistoryQuery,
  telemetryHistoryView,
  telemetrySummaryQuery,
  telemetrySummaryView,
} from '../fleet-telemetry/telemetry.schemas.js';
import { clientFrameSchema, serverFrameSchema } from '../stream/stream.protocol.js';
import {
  explainTilesBody,
  getTileJobQuery,
  submitTileJobBody,
  tileExplanation,
  tileJobIdParam,
  tileJobResult,
  tileJobView,
  tileStatsView,
} from '../tiles/tiles.schemas.js';
import { changePasswordBody, createUserBody, updateUserBody, userIdParam, userList, userView } from '../users/users.schemas.js';
import { errorBody } from './error-body.js';

/**
 * The gateway's HTTP API, one entry per route: the document at /api/openapi.json
 * (and dist/openapi.json) is built from this list alone. The request schemas are
 * the very ones the routes' ZodPipes parse with, the response schemas the ones the
 * view types are inferred from; openapi.spec.ts fails when a route is missing
 * here, an entry has no route, or an entry's access or schemas differ from the
 * route's decorators and pipes.
 */
export interface Operation {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** The full path in OpenAPI's syntax: `/api/v1/agents/{id}`. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  /** `public` for `@Public()`, else the least role its `@RequireRole(...)` names. */
  access: 'public' | Role;
  /** The scope an API key needs (`@RequireScope(...)`); every non-public route has one. */
  scope?: Scope;
  /** Path parameters, by name, with the schema of the route's `@Param(name, new ZodPipe(...))`. */
  params?: Record<string, z.ZodType>;
  /** The schema of the route's `@Query(new ZodPipe(...))`: each property is one query parameter. */
  query?: z.ZodObject;
  /** The schema of the route's `@Body(new ZodPipe(...))`, sent as application/json. */
  body?: z.ZodType;
  /** The success answer: its status and body (none for 204), in each of `contentTypes` (default application/json). */
  success: { status: 200 | 201 | 202 | 204; description: string; schema?: z.ZodType; contentTypes?: string[] };
  /** Error statuses besides the ones every route of its kind has (400 with input, 401 and 403 when authenticated). */
  errors?: number[];
}

/** Statuses of routes that call command or agent-hub over gRPC. */
const UPSTREAM = [503, 504, 502];

/** A component name for each named schema: `$ref: #/components/schemas/<name>` wherever it occurs. */
export const NAMED_SCHEMAS: ReadonlyArray<readonly [string, z.ZodType, 'input' | 'output']> = [
  ['Error', errorBody, 'output'],
  ['TokenPair', tokenPair, 'output'],
  ['User', userView, 'output'],
  ['UserList', userList, 'output'],
  ['ApiKey', apiKeyView, 'output'],
  ['CreatedApiKey', createdApiKey, 'output'],
  ['ApiKeyList', apiKeyList, 'output'],
  ['Agent', agentView, 'output'],
  ['EnrolledAgent', enrolledAgent, 'output'],
  ['AgentPage', agentPage, 'output'],
  ['AgentSummary', agentSummary, 'output'],
  ['Execution', executionView, 'output'],
  ['ExecutionPage', executionPage, 'output'],
  ['ExecutionOutput', outputView, 'output'],
  ['CommandSummary', commandSummary, 'output'],
  ['Command', commandView, 'output'],
  ['CommandPage', commandPage, 'output'],
  ['CancelCommandResult', cancelCommandResult, 'output'],
  ['TargetSelector', targetSelector, 'input'],
  ['AuditEntry', auditEntryView, 'output'],
  ['AuditPage', auditPage, 'output'],
  ['Statistics', statisticsView, 'output'],
  ['LatestSample', latestSampleView, 'output'],
  ['TelemetryHistory', telemetryHistoryView, 'output'],
  ['TelemetrySummary', telemetrySummaryView, 'output'],
  ['EnrollmentToken', enrollmentTokenView, 'output'],
  ['CreatedEnrollmentToken', createdEnrollmentToken, 'output'],
  ['EnrollmentTokenPage', enrollmentTokenPage, 'output'],
  ['StreamServerFrame', serverFrameSchema, 'output'],
  ['StreamClientFrame', clientFrameSchema, 'input'],
  ['LoginBody', loginBody, 'input'],
  ['RefreshBody', refreshBody, 'input'],
  ['CreateUserBody', createUserBody, 'input'],
  ['UpdateUserBody', updateUserBody, 'input'],
  ['ChangePasswordBody', changePasswordBody, 'input'],
  ['CreateApiKeyBody', createApiKeyBody, 'input'],
  ['EnrollAgentBody', enrollAgentBody, 'input'],
  ['CreateEnrollmentTokenBody', createEnrollmentTokenBody, 'input'],
  ['SubmitCommandBody', submitCommandBody, 'input'],
  ['TileJob', tileJobView, 'output'],
  ['TileJobResult', tileJobResult, 'output'],
  ['TileExplanation', tileExplanation, 'output'],
  ['TileStats', tileStatsView, 'output'],
  ['SubmitTileJobBody', submitTileJobBody, 'input'],
  ['ExplainTilesBody', explainTilesBody, 'input'],
];

const healthBody = z.object({ status: z.literal('ok') });
const readyBody = z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.string()).describe('each dependency: ok, or why not') });

export const OPERATIONS: readonly Operation[] = withRateLimits([
  // Sign-in: public, the body carries the credentials.
  {
    method: 'post',
    path: '/api/v1/auth/login',
    operationId: 'login',
    tag: 'auth',
    summary: 'Sign in with email and password',
    description:
      'One 401 message for every failure. Past LOGIN_RATE_LIMIT attempts per ip and email, or LOGIN_IP_RATE_LIMIT per ip across emails, in the window: 429 with Retry-After.',
    access: 'public',
    body: loginBody,
    success: { status: 200, description: 'a short-lived access token and a refresh token', schema: tokenPair },
    errors: [401, 429],
  },
  {
    method: 'post',
    path: '/api/v1/auth/refresh',
    operationId: 'refresh',
    tag: 'auth',
    summary: 'Trade a refresh token for a new pair',
    description: 'Refresh tokens rotate on every use; presenting an already rotated one revokes its whole family (401).',
    access: 'public',
    body: refreshBody,
    success: { status: 200, description: 'the new pair; the presented refresh token is spent', schema: tokenPair },
    errors: [401],
  },
  {
    method: 'post',
    path: '/api/v1/auth/logout',
    operationId: 'logout',
    tag: 'auth',
    summary: "End the refresh token's session",
    description: "Revokes the refresh token's family; the session's access tokens are refused from then on (Redis denylist) and its open streams close (4401).",
    access: 'public',
    body: refreshBody,
    success: { status: 204, description: 'revoked (also when it already was)' },
  },
  // Users and API keys: admin.
  {
    method: 'post',
    path: '/api/v1/users',
    operationId: 'createUser',
    tag: 'users',
    summary: 'Create a user',
    access: 'admin',
    scope: 'users:write',
    body: createUserBody,
    success: { status: 201, description: 'the new user', schema: userView },
    errors: [409],
  },
  {
    method: 'get',
    path: '/api/v1/users',
    operationId: 'listUsers',
    tag: 'users',
    summary: 'List users',
    access: 'admin',
    scope: 'users:read',
    success: { status: 200, description: 'every user', schema: userList },
  },
  {
    method: 'patch',
    path: '/api/v1/users/{id}',
    operationId: 'updateUser',
    tag: 'users',
    summary: "Change a user's role or disable it",
    description:
      "Give role, disabled or both. Disabling or lowering the role ends the user's sessions at once (refresh tokens, access tokens, open streams); disabling also revokes its API keys, a lower role caps them. 409 when it would demote or disable the last enabled admin.",
    access: 'admin',
    scope: 'users:write',
    params: { id: userIdParam },
    body: updateUserBody,
    success: { status: 200, description: 'the user as it is now', schema: userView },
    errors: [404, 409],
  },
  {
    method: 'delete',
    path: '/api/v1/users/{id}',
    operationId: 'deleteUser',
    tag: 'users',
    summary: 'Delete a user',
    description: 'With its refresh tokens and API keys; its open streams close (4401). The audit log keeps its entries. 409 for the last enabled admin.',
    access: 'admin',
    scope: 'users:write',
    params: { id: userIdParam },
    success: { status: 204, description: 'deleted' },
    errors: [404, 409],
  },
  {
    method: 'post',
    path: '/api/v1/users/me/password',
    operationId: 'changePassword',
    tag: 'users',
    summary: "Change the caller's own password",
    description:
      "A signed-in user only: an API key gets 403. A wrong currentPassword is a 400 naming currentPassword. Ends the user's other sessions; the one that asked stays signed in.",
    access: 'viewer',
    scope: 'users:write',
    body: changePasswordBody,
    success: { status: 204, description: 'changed' },
  },
  {
    method: 'delete',
    path: '/api/v1/users/{id}/sessions',
    operationId: 'endUserSessions',
    tag: 'users',
    summary: 'End every session of a user',
    description:
      'Every refresh token, access token and open stream of the user stops working within seconds, on every gateway instance. API keys are not sessions: revoke them on their own.',
    access: 'admin',
    scope: 'users:write',
    params: { id: userIdParam },
    success: { status: 204, description: 'ended' },
    errors: [404],
  },
  {
    method: 'post',
    path: '/api/v1/api-keys',
    operationId: 'createApiKey',
    tag: 'api-keys',
    summary: 'Create an API key for the caller',
    description:
      'The key acts with its own role, never above its owner’s current one, and only on routes whose scope it holds (default: every scope). After `expiresAt` it is refused (401) like a revoked key. 400 naming expiresAt when it is not in the future.',
    access: 'admin',
    scope: 'users:write',
    body: createApiKeyBody,
    success: { status: 201, description: 'the key, shown only in this answer', schema: createdApiKey },
  },
  {
    method: 'get',
    path: '/api/v1/api-keys',
    operationId: 'listApiKeys',
    tag: 'api-keys',
    summary: 'List API keys',
    access: 'admin',
    scope: 'users:read',
    success: { status: 200, description: 'every key, revoked ones included; never the secret', schema: apiKeyList },
  },
  {
    method: 'delete',
    path: '/api/v1/api-keys/{id}',
    operationId: 'revokeApiKey',
    tag: 'api-keys',
    summary: 'Revoke an API key',
    access: 'admin',
    scope: 'users:write',
    params: { id: uuidParam },
    success: { status: 204, description: 'revoked' },
    errors: [404],
  },
  // Agents and commands: through command and agent-hub.
  {
    method: 'post',
    path: '/api/v1/agents',
    operationId: 'enrollAgent',
    tag: 'agents',
    summary: 'Enroll an agent',
    access: 'admin',
    scope: 'agents:write',
    body: enrollAgentBody,
    success: { status: 201, description: 'the agent and the token it connects with', schema: enrolledAgent },
    errors: [409, ...UPSTREAM],
  },
  {
    method: 'get',
    path: '/api/v1/agents',
    operationId: 'listAgents',
    tag: 'agents',
    summary: 'List agents',
    description:
      'Filters AND-ed: site, label (repeated name=value), capability (repeated), os, version, connected, seenBefore/seenAfter. Pages by id (keyset): a pageToken only continues the listing with the same filters. The total is counted only with includeTotal=true.',
    access: 'viewer',
    scope: 'agents:read',
    query: listAgentsQuery,
    success: { status: 200, description: 'one page of agents', schema: agentPage },
    errors: UPSTREAM,
  },
  {
    method: 'get',
    path: '/api/v1/agents/summary',
    operationId: 'summarizeAgents',
    tag: 'agents',
    summary: 'Count agents by site, os, version and connected',
    description: 'Counted by agent-hub in one scan of its registry (GROUPING SETS), never by listing agents.',
    access: 'viewer',
    scope: 'agents:read',
    success: { status: 200, description: 'the counts', schema: agentSummary },
    errors: UPSTREAM,
  },
  {
    method: 'get',
    path: '/api/v1/agents/{id}',
    operationId: 'getAgent',
    tag: 'agents',
    summary: 'Get an agent',
    access: 'viewer',
    scope: 'agents:read',
    params: { id: agentIdParam },
    success: { status: 200, description: 'the agent', schema: agentView },
    errors: [404, ...UPSTREAM],
  },
  {
    method: 'post',
    path: '/api/v1/agents/{id}/revoke',
    operationId: 'revokeAgent',
    tag: 'agents',
    summary: "Revoke an agent's access",
    description:
      "agent-hub refuses the agent's credential from now on and closes its session (WebSocket close 4403) within seconds on whichever hub instance holds it. The agent stays listed; it cannot enrol again, even with a re-enrolling token, until it is deleted (or an admin mints it a new credential with POST /api/v1/agents).",
    access: 'admin',
    scope: 'agents:write',
    params: { id: agentIdParam },
    success: { status: 204, description: 'revoked' },
    errors: [404, ...UPSTREAM],
  },
  {
    method: 'delete',
    path: '/api/v1/agents/{id}',
    operationId: 'deleteAgent',
    tag: 'agents',
    summary: 'Remove an agent from the registry',
    description:
      'Its session is closed (4403) as for a revoke and its credential stops working. Deleting is also how an agent id is made free to enrol again with an enrollment token.',
    access: 'admin',
    scope: 'agents:write',
    params: { id: agentIdParam },
    success: { status: 204, description: 'deleted' },
    errors: [404, ...UPSTREAM],
  },
  {
    method: 'post',
    path: '/api/v1/enrollment-tokens',
    operationId: 'createEnrollmentToken',
    tag: 'enrollment-tokens',
    summary: 'Create an enrollment token',
    description:
      "Agents started with the token trade it for a credential of their own at agent-hub's POST /v1/enroll; each gets the token's site and labels. Defaults: one use, 24 hours. An agent id that is already enrolled is refused (409 from the hub) unless `allowReenroll`. 400 naming expiresAt when it is not in the future or more than a year ahead.",
    access: 'admin',
    scope: 'agents:write',
    body: createEnrollmentTokenBody,
    success: { status: 201, description: 'the token, shown only in this answer', schema: createdEnrollmentToken },
    errors: UPSTREAM,
  },
  {
    method: 'get',
    path: '/api/v1/enrollment-tokens',
    operationId: 'listEnrollmentTokens',
    tag: 'enrollment-tokens',
    summary: 'List enrollment tokens',
    access: 'admin',
    scope: 'agents:read',
    query: listEnrollmentTokensQuery,
    success: { status: 200, description: 'one page of tokens, newest first; never the secret', schema: enrollmentTokenPage },
    errors: UPSTREAM,
  },
  {
    method: 'delete',
    path: '/api/v1/enrollment-tokens/{id}',
    operationId: 'revokeEnrollmentToken',
    tag: 'enrollment-tokens',
    summary: 'Revoke an enrollment token',
    description: 'No agent can enrol with it afterwards; agents that already enrolled keep their credentials.',
    access: 'admin',
    scope: 'agents:write',
    params: { id: enrollmentTokenIdParam },
    success: { status: 204, description: 'revoked' },
    errors: [404, ...UPSTREAM],
  },
  {
    method: 'post',
    path: '/api/v1/commands',
    operationId: 'submitCommand',
    tag: 'commands',
    summary: 'Submit a command to agents',
    description:
      "Queued, not run yet: GET /api/v1/commands/{id} has its summary, …/executions its targets, and the stream pushes every change. `targets` is a list of agent ids (each must be enrolled, else 404) or a selector (all conditions AND-ed, resolved once into the command's frozen target set, up to 100,000 agents; 400 naming `targets` when it matches none). An agent that did not announce the verb among its capabilities gets a SKIPPED execution. `maxConcurrency` (a number or a percentage) bounds the executions in flight; once more than `maxErrors` failed, the rest are SKIPPED and the command ends FAILED. An execution for an offline agent waits (QUEUED, reason \"agent offline\") until the agent connects or `ttlSeconds` passes (EXPIRED). `params` is checked against the verb's schema (400 naming e.g. params.argv). An idempotency key is the caller's own: the same key with the same body answers the original command, with another body 409. `requestedBy` is the caller's user id or API key id.",
    access: 'operator',
    scope: 'commands:write',
    body: submitCommandBody,
    success: { status: 202, description: 'the command, queued, with its summary', schema: commandView },
    errors: [404, 409, ...UPSTREAM],
  },
  {
    method: 'get',
    path: '/api/v1/commands',
    operationId: 'listCommands',
    tag: 'commands',
    summary: 'List commands',
    access: 'viewer',
    scope: 'commands:read',
    query: listCommandsQuery,
    success: { status: 200, description: 'one page of commands, newest first (without summaries)', schema: commandPage },
    errors: UPSTREAM,
  },
  {
    method: 'get',
    path: '/api/v1/commands/{id}',
    operationId: 'getCommand',
    tag: 'commands',
    summary: 'Get a command with its summary',
    description:
      'Counts per state, the exit-code histogram, the first errors and the non-responders, aggregated by the command service; the executions are paged by …/executions.',
    access: 'viewer',
    scope: 'commands:read',
    params: { id: commandIdParam },
    success: { status: 200, description: 'the command', schema: commandView },
    errors: [404, ...UPSTREAM],
  },
  // Tile jobs: through tile-worker.
  {
    method: 'post',
    path: '/api/v1/tiles/jobs',
    operationId: 'submitTileJob',
    tag: 'tiles',
    summary: 'Submit a tile job: a tile program and data for its sources',
    description:
      'Queued, not run yet: poll GET /api/v1/tiles/jobs/{id}. `program` is the tile compiler\'s versioned JSON; a program it refuses answers 400 with its message, naming the tile and field (`program: tile "bySite", field "peak": ...`). Each source binding gives `rows` (for a records tile, checked against its schema) or `columns` (for a columns tile). 400 also when the rows exceed the job row limit, or when the compiler estimates more intermediate memory for these sizes than the job byte limit. The request body is limited to 64 KB.',
    access: 'operator',
    scope: 'tiles:write',
    body: submitTileJobBody,
    success: { status: 202, description: 'the job, queued', schema: tileJobView },
    errors: UPSTREAM,
  },
  {
    method: 'get',
    path: '/api/v1/tiles/jobs/{id}',
    operationId: 'getTileJob',
    tag: 'tiles',
    summary: 'Get a tile job: its state, stats and one page of results',
    description:
      'Results appear once COMPLETED: up to `resultLimit` rows (tile-worker caps it) across the sinks in program order, each with its total; pass `nextCursor` back as `cursor` for the next page. Stats: rows in and out, partitions run on worker threads, threads used, the cache tier that answered, compile and run time, partition retries.',
    access: 'viewer',
    scope: 'telemetry:read',
    params: { id: tileJobIdParam },
    query: getTileJobQuery,
    success: { status: 200, description: 'the job and a page of its results', schema: tileJobResult },
    errors: [404, ...UPSTREAM],
  },
  {
    method: 'post',
    path: '/api/v1/tiles/jobs/{id}/cancel',
    operationId: 'cancelTileJob',
    tag: 'tiles',
    summary: 'Cancel a queued or running tile job',
    description: 'A queued job never starts; a running one stops its partitions. 409 for a job that has already finished.',
    access: 'operator',
    scope: 'tiles:write',
    params: { id: tileJobIdParam },
    success: { status: 200, description: 'the job, CANCELLED', schema: tileJobView },
    errors: [404, 409, ...UPSTREAM],
  },
  {
    method: 'post',
    path: '/api/v1/tiles/explain',
    operationId: 'explainTiles',
    tag: 'tiles',
    summary: "The compiler's plan for a tile program, without running it",
    description:
      'Passes applied, stages, parallelism, memory and cost estimates; `sourceRows` sets the expected rows per run-time-bound source for the estimates.',
    access: 'viewer',
    scope: 'telemetry:read',
    body: explainTilesBody,
    success: { status: 200, description: 'the plan', schema: tileExplanation },
    errors: UPSTREAM,
  },
  {
    method: 'get',
    path: '/api/v1/tiles/stats',
    operationId: 'getTileStats',
    tag: 'tiles',
    summary: "tile-worker's pool, queue and caches",
    description:
      'From the tile-worker instance that answers: worker threads, queued partitions, utilisation, partition retries, both result cache tiers (hits, misses, evictions, bytes), the compiled-program cache and the shared queue.',
    access: 'viewer',
    scope: 'telemetry:read',
    success: { status: 200, description: 'the figures', schema: tileStatsView },
    errors: UPSTREAM,
  },
  {
    method: 'get',
    path: '/api/v1/agents/{id}/telemetry/latest',
    operationId: 'getLatestTelemetry',
    tag: 'telemetry',
    summary: "An agent's newest sample",
    description: "From telemetry's Redis. 404 when the agent has sent no sample (or none within LATEST_SAMPLE_TTL_SECONDS).",
    access: 'viewer',
    scope: 'telemetry:read',
    params: { id: agentTelemetryParam },
    success: { status: 200, description: 'the newest sample', schema: latestSampleView },
    errors: [404, ...UPSTREAM],
  },
  {
    method: 'get',
    path: '/api/v1/agents/{id}/telemetry',
    operationId: 'getTelemetryHistory',
    tag: 'telemetry',
    summary: "An agent's metric history",
    description:
      "From telemetry's PostgreSQL: raw samples, or 1-minute / 1-hour rollups (avg, min, max, last per metric). `step=auto` picks the resolution from the range. A rollup range of more than 2,000 points answers 400 naming `to`; raw points are paged with `pageToken` (a token is valid only for the same agent, range, step and metrics).",
    access: 'viewer',
    scope: 'telemetry:read',
    params: { id: agentTelemetryParam },
    query: telemetryHistoryQuery,
    success: { status: 200, description: 'the points, oldest first', schema: telemetryHistoryView },
    errors: UPSTREAM,
  },
  {
    method: 'get',
    path: '/api/v1/telemetry/summary',
    operationId: 'getTelemetrySummary',
    tag: 'telemetry',
    summary: 'Fleet-wide CPU, memory and disk over the last minutes, for dashboards',
    description:
      "Agents reporting, and p50 / p95 / max / avg across agents of cpu_percent, memory_percent and disk_percent over the last `minutes` (default 5) of telemetry's 1-minute rollups. `site` and `label` narrow the agents through agent-hub's registry.",
    access: 'viewer',
    scope: 'telemetry:read',
    query: telemetrySummaryQuery,
    success: { status: 200, description: 'the aggregates', schema: telemetrySummaryView },
    errors: UPSTREAM,
  },
  {
    method: 'get',
    path: '/api/v1/commands/{id}/executions',
    operationId: 'listExecutions',
    tag: 'commands',
    summary: "A command's executions, by agent id",
    description: 'Filter by state or exit code; each carries the first KiB of its inline output, the full output is at …/executions/{eid}/output.',
    access: 'viewer',
    scope: 'commands:read',
    params: { id: commandIdParam },
    query: listExecutionsQuery,
    success: { status: 200, description: 'one page of executions', schema: executionPage },
    errors: [404, ...UPSTREAM],
  },
  {
    method: 'get',
    path: '/api/v1/commands/{id}/executions/{eid}/output',
    operationId: 'getExecutionOutput',
    tag: 'commands',
    summary: "A byte range of an execution's output",
    description:
      'The output the agent streamed while it ran, up to the per-execution cap (`truncated` beyond). Read on from `nextOffset`; `complete` once the execution finished and everything stored was read. The live stream pushes the same bytes as they arrive.',
    access: 'viewer',
    scope: 'commands:read',
    params: { id: commandIdParam, eid: executionIdParam },
    query: outputQuery,
    success: { status: 200, description: 'the bytes, base64', schema: outputView },
    errors: [404, ...UPSTREAM],
  },
  {
    method: 'post',
    path: '/api/v1/commands/{id}/cancel',
    operationId: 'cancelCommand',
    tag: 'commands',
    summary: 'Cancel a command',
    description:
      'Executions not yet sent end CANCELLED at once; running ones are told to stop: the agent kills the process group (SIGTERM, SIGKILL after a grace) and reports CANCELLED with the output so far. Cancelling a finished command changes nothing.',
    access: 'operator',
    scope: 'commands:write',
    params: { id: commandIdParam },
    success: { status: 202, description: 'the command, and how many executions were cancelled and told to stop', schema: cancelCommandResult },
    errors: [404, ...UPSTREAM],
  },
  {
    method: 'post',
    path: '/api/v1/commands/{id}/executions/{eid}/cancel',
    operationId: 'cancelExecution',
    tag: 'commands',
    summary: 'Cancel one execution',
    access: 'operator',
    scope: 'commands:write',
    params: { id: commandIdParam, eid: executionIdParam },
    success: {
      status: 202,
      description: 'the execution: CANCELLED if it was not sent yet, else still running until its agent stops it',
      schema: cancelExecutionResult,
    },
    errors: [404, ...UPSTREAM],
  },
  {
    method: 'post',
    path: '/api/v1/commands/{id}/retry',
    operationId: 'retryCommand',
    tag: 'commands',
    summary: 'Retry the failed targets',
    description:
      "A new command with the old one's verb, parameters and limits, on its FAILED, TIMED_OUT and EXPIRED targets; `retryOf` links it. 409 when there is nothing to retry.",
    access: 'operator',
    scope: 'commands:write',
    params: { id: commandIdParam },
    body: retryCommandBody,
    success: { status: 201, description: 'the new command', schema: commandView },
    errors: [404, 409, ...UPSTREAM],
  },
  {
    method: 'get',
    path: '/api/v1/statistics',
    operationId: 'getStatistics',
    tag: 'statistics',
    summary: 'Fleet, command and execution counts for dashboards',
    description:
      'Agents (total, connected, by site and os) from agent-hub and commands (last hour and day by state, executions finished per minute over the last 60 minutes) from command, asked in parallel. No partial answers: while either is down, 503 as for its other routes. `alerts.firing` is null until telemetry has alerts.',
    access: 'viewer',
    scope: 'agents:read',
    success: { status: 200, description: 'the counts as of generatedAt', schema: statisticsView },
    errors: UPSTREAM,
  },
  {
    method: 'get',
    path: '/api/v1/audit',
    operationId: 'listAudit',
    tag: 'audit',
    summary: 'Read the audit log',
    description:
      'Newest first, narrowed by the filters (all must match; `from` inclusive, `to` exclusive); pageSize 1–500, default 50. A pageToken is bound to the filters it was issued with: a token from elsewhere or used with other filters is a 400 naming pageToken.',
    access: 'admin',
    scope: 'audit:read',
    query: auditQuery,
    success: { status: 200, description: 'one page of entries', schema: auditPage },
  },
  {
    method: 'get',
    path: '/api/v1/audit/export',
    operationId: 'exportAudit',
    tag: 'audit',
    summary: 'Download the audit log',
    description:
      'Every entry matching the same filters as listAudit, newest first, streamed as an attachment. `format=ndjson`: one AuditEntry JSON object per line (application/x-ndjson). `format=csv`: text/csv per RFC 4180 (CRLF, header row `id,at,actor,actorType,action,target,outcome,ip,traceId,details`, `details` as JSON, null as an empty field). An error after the first bytes aborts the connection rather than ending a truncated file.',
    access: 'admin',
    scope: 'audit:read',
    query: auditExportQuery,
    success: {
      status: 200,
      description: 'the entries, as NDJSON or CSV (Content-Disposition: attachment)',
      contentTypes: ['application/x-ndjson', 'text/csv'],
    },
  },
  // This document.
  {
    method: 'get',
    path: '/api/openapi.json',
    operationId: 'getOpenApiDocument',
    tag: 'meta',
    summary: 'This OpenAPI 3.1 document',
    access: 'public',
    success: { status: 200, description: 'the document, built from the same zod schemas that validate requests' },
  },
  {
    method: 'get',
    path: '/api/docs',
    operationId: 'getApiDocs',
    tag: 'meta',
    summary: 'This document as an HTML page',
    access: 'public',
    success: { status: 200, description: 'a plain HTML listing, no scripts', contentTypes: ['text/html'] },
  },
  // Probes, outside /api/v1.
  {
    method: 'get',
    path: '/health',
    operationId: 'health',
    tag: 'probes',
    summary: 'Liveness',
    access: 'public',
    success: { status: 200, description: 'the process is up', schema: healthBody },
  },
  {
    method: 'get',
    path: '/ready',
    operationId: 'ready',
    tag: 'probes',
    summary: 'Readiness: PostgreSQL, Redis and NATS',
    description:
      'Otherwise 503 with `{status: "not ready", failing, checks}`. command and agent-hub are not readiness dependencies; their routes answer 503 while they are down.',
    access: 'public',
    success: { status: 200, description: 'every dependency answers', schema: readyBody },
  },
]);

/**
 * Every `/api/v1` operation may be refused by the request limits: 429 with Retry-After (every
 * answer carries X-RateLimit-Limit, -Remaining and -Reset; see the gateway README). Sign-in
 * (login, refresh, logout) also answers 503 while the limits' Redis is away: it fails closed.
 * A function declaration, so it is hoisted above OPERATIONS.
 */
function withRateLimits(ops: Operation[]): Operation[] {
  return ops.map((op) => {
    if (!op.path.startsWith('/api/v1/')) return op;
    const signIn = op.path.startsWith('/api/v1/auth/');
    return { ...op, errors: [...new Set([...(op.errors ?? []), 429, ...(signIn ? [503] : [])])] };
  });
}
