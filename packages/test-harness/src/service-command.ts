/**
 * How every fleetplane process is started, as the image's CMD does it
 * (infra/docker/Dockerfile; the deployment test checks they agree), from the
 * package's directory:
 * - `--max-semi-space-size=4`: V8's young generation otherwise grows to its
 *   64 MiB reserve during start-up and never shrinks while idle; capped, an
 *   idle service holds ~25 MiB less, and under load far less (BENCHMARKS.md,
 *   idle memory and the command path, measured side by side);
 * - `--import @fleetplane/observability/instrument`: tracing before anything
 *   it patches is loaded.
 */
export const SERVICE_NODE_ARGS: readonly string[] = ['--max-semi-space-size=4', '--import', '@fleetplane/observability/instrument', 'dist/main.js'];
