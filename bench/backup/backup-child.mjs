// One backup or restore in its own process, so its peak RSS is the backup's alone (the parent holds
// PostgreSQL's handle and the bookkeeping). Prints one JSON line: what it did, how long, peak RSS.
import { LocalBackend, Repository } from '../../packages/backup-repository/dist/index.js';
import { PostgresRestorer } from '../../apps/backup/dist/restore/postgres-restorer.js';
import { BackupRunner } from '../../apps/backup/dist/runs/backup-runner.js';
import { RestoreRunner } from '../../apps/backup/dist/runs/restore-runner.js';
import { PostgresSource } from '../../apps/backup/dist/sources/postgres-source.js';

const [action, repoDir, url, arg] = process.argv.slice(2);
const passphrase = { passphrase: 'bench' };
const started = performance.now();
let result;
if (action === 'init') {
  await Repository.init(new LocalBackend(repoDir), { masterKey: passphrase, compression: { algorithm: 'zstd', level: 3 }, cipher: 'aes-256-gcm' });
  result = {};
} else if (action === 'backup') {
  const repo = await Repository.open(new LocalBackend(repoDir), passphrase);
  const runner = new BackupRunner(repo, { succeeded() {}, failed() {} });
  const outcome = await runner.run({ type: arg, sources: [new PostgresSource({ name: 'bench', connectionString: url })] });
  result = { id: outcome.manifest.id, stats: outcome.manifest.stats, compressionRatio: outcome.compressionRatio, dedupRatio: outcome.dedupRatio };
} else if (action === 'restore') {
  const repo = await Repository.open(new LocalBackend(repoDir), passphrase);
  const [backupId, target] = arg.split(':');
  const restore = await new RestoreRunner(repo, { postgres: new PostgresRestorer(url) }).run({ backupId, targets: { bench: target } });
  result = { mismatches: restore.checks[0].mismatches.length, rows: restore.checks[0].rows };
}
const wallMs = performance.now() - started;
console.log(JSON.stringify({ action, wallMs, maxRssMiB: process.resourceUsage().maxRSS / 1024, ...result }));
