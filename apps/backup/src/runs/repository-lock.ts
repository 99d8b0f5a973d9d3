/**
 * One job at a time per repository in this process: backups, restores, verifies and prunes queue
 * behind each other (prune must never run beside a backup that may reuse chunks it deletes).
 * Across processes the service runs one worker per repository (see the README).
 */
export class RepositoryLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job, job);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
