import { Option, type Command as Program } from 'commander';
import type { Context } from '../context.js';
import { parseLimit } from '../options.js';
import { outputOptions } from '../program/shared-options.js';
import {
  cancelJob,
  collect,
  createBackup,
  deletePolicy,
  listBackups,
  listPolicies,
  pruneBackups,
  restoreBackup,
  setPolicy,
  showBackup,
  showJob,
  verifyBackup,
  type CreateBackupOptions,
  type PolicySetOptions,
  type PruneOptions,
  type RestoreOptions,
  type VerifyOptions,
  type WaitOption,
} from './backup.js';

const keepOptions = (cmd: Program): Program =>
  cmd
    .option('--keep-last <n>', 'keep the newest n backups', parseLimit)
    .option('--keep-hourly <n>', 'keep the newest backup of each of the last n hours', parseLimit)
    .option('--keep-daily <n>', '… of each of the last n days (UTC)', parseLimit)
    .option('--keep-weekly <n>', '… of each of the last n ISO weeks', parseLimit)
    .option('--keep-monthly <n>', '… of each of the last n months', parseLimit)
    .option('--keep-yearly <n>', '… of each of the last n years', parseLimit);
const noWait = () => new Option('--no-wait', 'print the job id and return at once (follow it with fleetplane backup job <id> --wait)');

/** `fleetplane backup …`: backups of the platform's databases, through the gateway; jobs are followed with a progress bar. */
export function registerBackup(program: Program, ctx: Context, setExit: (code: number) => void): void {
  const backup = program.command('backup').description("back up, verify, restore and prune the platform's databases");
  outputOptions(backup.command('create').description('take a backup and follow it to the end'))
    .addOption(new Option('--type <type>', 'full, incremental, differential or snapshot').default('full'))
    .option('--source <name>', 'a configured source (repeatable; default: all)', collect)
    .addOption(noWait())
    .action(async (opts: CreateBackupOptions) => setExit(await createBackup(ctx, opts)));
  outputOptions(backup.command('list').description('the backups, newest first')).action(() => listBackups(ctx));
  outputOptions(backup.command('show').description('one backup: sources, sizes, rows, ratios').argument('<id>', 'backup id')).action((id: string) =>
    showBackup(ctx, id),
  );
  outputOptions(backup.command('job').description('a backup, restore, verify or prune job').argument('<id>', 'job id'))
    .option('--wait', 'follow it to the end with a progress bar')
    .action(async (id: string, opts: WaitOption) => setExit(await showJob(ctx, id, opts)));
  outputOptions(backup.command('cancel').description('cancel a queued or running backup, restore or verify job').argument('<job>', 'job id')).action(
    async (id: string) => setExit(await cancelJob(ctx, id)),
  );
  outputOptions(backup.command('verify').description("check a backup's structure, and with --read-data every chunk").argument('<id>', 'backup id'))
    .option('--read-data', 're-read and authenticate the data')
    .option('--sample <percent>', 'with --read-data: the share of packs to read (1-100)', parseLimit)
    .addOption(noWait())
    .action(async (id: string, opts: VerifyOptions) => setExit(await verifyBackup(ctx, id, opts)));
  outputOptions(backup.command('restore').description('restore sources of a backup into new databases').argument('<id>', 'backup id'))
    .option('--target <source=database>', 'restore this source into this new database (repeatable)', collect)
    .option('--dry-run', 'only list what would be restored where')
    .addOption(noWait())
    .action(async (id: string, opts: RestoreOptions) => setExit(await restoreBackup(ctx, id, opts)));
  keepOptions(outputOptions(backup.command('prune').description('forget backups by retention (keeping what kept ones depend on) and free their data')))
    .addOption(noWait())
    .action(async (opts: PruneOptions) => setExit(await pruneBackups(ctx, opts)));

  const policy = backup.command('policy').description('backup schedules: cron and/or event trigger, type, sources, retention');
  outputOptions(policy.command('list').description('the policies')).action(() => listPolicies(ctx));
  keepOptions(
    outputOptions(policy.command('set').description('create the policy, or change the given fields of it').argument('<name>'))
      .option('--cron <expr>', 'five fields (minute hour day month weekday), UTC; "" for none')
      .option('--trigger <event>', 'migration.starting (a backup before a migration run); "" for none')
      .option('--type <type>', 'full (default for a new policy), incremental, differential or snapshot')
      .option('--source <name>', 'a configured source (repeatable; default: all)', collect)
      .option('--enable', 'run it (the default for a new policy)')
      .option('--disable', 'keep it but stop running it'),
  ).action((name: string, opts: PolicySetOptions & { enable?: boolean; disable?: boolean }) =>
    setPolicy(ctx, name, { ...opts, ...(opts.disable ? { enabled: false } : opts.enable ? { enabled: true } : {}) }),
  );
  policy
    .command('delete')
    .description('delete a policy and its schedule')
    .argument('<name>', 'policy name or id')
    .action((name: string) => deletePolicy(ctx, name));
}
