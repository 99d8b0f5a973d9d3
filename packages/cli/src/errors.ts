/**
 * Exit codes. 0: done. `run`/`exec` exit with the remote program's own code (0-254). 255 (like
 * ssh): the CLI's own failure — a usage error, an HTTP error, the gateway unreachable, an
 * execution that ended without an exit code — so a remote program's 255 is the only ambiguity.
 */
export const EXIT_OK = 0;
export const EXIT_CLI = 255;

/** A mistake on the command line: exit 255, one line on stderr, nothing sent. */
export class UsageError extends Error {}

/** Anything else the operator must read: exit 255, one line on stderr. */
export class CliError extends Error {}

export const NOT_LOGGED_IN = 'not logged in: run fleetplane login';
