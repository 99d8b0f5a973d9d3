import type { Command as Program } from 'commander';
import {
  createUser,
  deleteUser,
  endUserSessions,
  listUsers,
  setOwnPassword,
  setUserDisabled,
  updateUser,
  type CreateUserOptions,
  type PasswordStdinOption,
  type UpdateUserOptions,
} from '../commands/users.js';
import type { Context } from '../context.js';
import { outputOptions, passwordStdinOption, roleOption } from './shared-options.js';

/** `fleetplane users …`: accounts (admin) and the signed-in user's own password. */
export function registerUsers(program: Program, ctx: Context): void {
  const users = program.command('users').description('manage user accounts (admin), or change your own password');
  outputOptions(users.command('list').description('list users')).action(() => listUsers(ctx));
  outputOptions(users.command('create').description('create a user; the password is prompted for (twice, no echo) or read from stdin').argument('<email>'))
    .addOption(roleOption('the new user role').makeOptionMandatory())
    .addOption(passwordStdinOption('the password'))
    .action((email: string, opts: CreateUserOptions) => createUser(ctx, email, opts));
  outputOptions(users.command('update').description("change a user's role").argument('<user>', 'user id or email'))
    .addOption(roleOption('the new role'))
    .action((ref: string, opts: UpdateUserOptions) => updateUser(ctx, ref, opts));
  outputOptions(users.command('disable').description('disable a user: no more logins, their sessions end').argument('<user>', 'user id or email')).action(
    (ref: string) => setUserDisabled(ctx, ref, true),
  );
  outputOptions(users.command('enable').description('enable a disabled user again').argument('<user>', 'user id or email')).action((ref: string) =>
    setUserDisabled(ctx, ref, false),
  );
  users
    .command('delete')
    .description('delete a user')
    .argument('<user>', 'user id or email')
    .action((ref: string) => deleteUser(ctx, ref));
  users
    .command('set-password')
    .description('change your own password (asked for with echo off; the gateway ends your other sessions)')
    .addOption(passwordStdinOption('the current and the new password, one a line,'))
    .action((opts: PasswordStdinOption) => setOwnPassword(ctx, opts));
  users
    .command('end-sessions')
    .description('end every session of a user: refresh tokens, access tokens, open streams')
    .argument('<user>', 'user id or email')
    .action((ref: string) => endUserSessions(ctx, ref));
}
