/** Flags the agent takes, each the same as an environment variable (the flag wins). */
const FLAGS: Record<string, string> = {
  '--enrollment-token': 'FLEETPLANE_ENROLLMENT_TOKEN',
  '--agent-id': 'AGENT_ID',
  '--state-dir': 'AGENT_STATE_DIR',
  '--hub-url': 'HUB_URL',
};

export type ArgsResult = { ok: true; env: Record<string, string> } | { ok: false; message: string };

/** `--enrollment-token X` or `--enrollment-token=X`, as environment overrides. */
export function argsToEnv(argv: readonly string[]): ArgsResult {
  const env: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const name = FLAGS[flag];
    if (!name) return { ok: false, message: `unknown argument ${flag} (known: ${Object.keys(FLAGS).join(', ')})` };
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') return { ok: false, message: `${flag} needs a value` };
    env[name] = value;
  }
  return { ok: true, env };
}
