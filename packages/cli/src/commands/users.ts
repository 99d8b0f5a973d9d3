import type { ApiClient } from '../api/client.js';
import type { Role } from '../api/schemas.js';
import { promptHidden, promptNewPassword, readPasswordFromStream, readPasswordLines } from '../auth/password.js';
import type { Context } from '../context.js';
import { CliError, UsageError } from '../errors.js';
import { formatUser, formatUsers } from '../output/format-users.js';

export interface CreateUserOptions {
  role: Role;
  passwordStdin?: boolean;
}
export interface UpdateUserOptions {
  role?: Role;
}
export interface PasswordStdinOption {
  passwordStdin?: boolean;
}

export async function listUsers(ctx: Context): Promise<void> {
  const users = await (await ctx.client()).listUsers();
  await ctx.print(users, (width) => formatUsers(users, width));
}

/** The password comes from stdin or a no-echo prompt (typed twice), never from argv (visible in `ps`). */
export async function createUser(ctx: Context, email: string, opts: CreateUserOptions): Promise<void> {
  const api = await ctx.client();
  const password = opts.passwordStdin
    ? await readPasswordFromStream(ctx.stdin)
    : await promptNewPassword('Password for the new user: ', ctx.stdin, ctx.stderrStream);
  const user = await api.createUser({ email, password, role: opts.role });
  await ctx.print(user, () => formatUser(user));
}

export async function updateUser(ctx: Context, ref: string, opts: UpdateUserOptions): Promise<void> {
  if (!opts.role) throw new UsageError('users update: nothing to change (give --role; users disable/enable switch an account off and on)');
  const api = await ctx.client();
  const user = await api.updateUser(await userId(api, ref), { role: opts.role });
  await ctx.print(user, () => formatUser(user));
}

/** disable: the user can no longer log in, and their sessions end; enable: the reverse. */
export async function setUserDisabled(ctx: Context, ref: string, disabled: boolean): Promise<void> {
  const api = await ctx.client();
  const user = await api.updateUser(await userId(api, ref), { disabled });
  await ctx.print(user, () => formatUser(user));
}

export async function deleteUser(ctx: Context, ref: string): Promise<void> {
  const api = await ctx.client();
  const id = await userId(api, ref);
  await api.deleteUser(id);
  ctx.err.write(`deleted user ${ref}\n`);
}

export async function endUserSessions(ctx: Context, ref: string): Promise<void> {
  const api = await ctx.client();
  await api.endUserSessions(await userId(api, ref));
  ctx.err.write(`ended every session of user ${ref}\n`);
}

/**
 * The signed-in user's own password: with --password-stdin the current and the new one on two
 * lines, else both asked for with echo off (the new one twice). The gateway ends the other sessions.
 */
export async function setOwnPassword(ctx: Context, opts: PasswordStdinOption): Promise<void> {
  const api = await ctx.client();
  let currentPassword: string;
  let newPassword: string;
  if (opts.passwordStdin) {
    [currentPassword, newPassword] = (await readPasswordLines(ctx.stdin, 2, 'the current and the new password')) as [string, string];
  } else {
    currentPassword = await promptHidden('Current password: ', ctx.stdin, ctx.stderrStream);
    if (!currentPassword) throw new UsageError('no password given');
    newPassword = await promptNewPassword('New password: ', ctx.stdin, ctx.stderrStream);
  }
  await api.changeOwnPassword({ currentPassword, newPassword });
  ctx.err.write('password changed; your other sessions have ended\n');
}

/** A user id, or an email looked up in the user list (ids are UUIDs, emails have an @). */
async function userId(api: ApiClient, ref: string): Promise<string> {
  if (!ref.includes('@')) return ref;
  const match = (await api.listUsers()).find((u) => u.email.toLowerCase() === ref.toLowerCase());
  if (!match) throw new CliError(`no user with email ${ref}`);
  return match.id;
}
