/** Exit codes: 0 ok, 1 the API or the remote command failed, 2 the command line was wrong. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A mistake on the command line: exit 2. */
export class UsageError extends Error {}

/** Anything else the operator must read: exit 1, one line on stderr. */
export class CliError extends Error {}

export const NOT_LOGGED_IN = 'not logged in: run fleetplane login';
