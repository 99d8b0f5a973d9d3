import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { CliError } from '../errors.js';

export const credentialsSchema = z.object({
  url: z.string().min(1),
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
});
export type Credentials = z.infer<typeof credentialsSchema>;

export { credentialsPath } from '../config/paths.js';

/** The stored login: read, replaced atomically with mode 0600, removed on logout. */
export class CredentialStore {
  constructor(readonly path: string) {}

  async load(): Promise<Credentials | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CliError(`cannot read ${this.path}: ${(err as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CliError(`${this.path} is not valid JSON: run fleetplane login again`);
    }
    const parsed = credentialsSchema.safeParse(json);
    if (!parsed.success) throw new CliError(`${this.path} is not a fleetplane credentials file: run fleetplane login again`);
    return parsed.data;
  }

  async save(creds: Credentials): Promise<void> {
    // Only directories created here get 0700: FLEETPLANE_CONFIG may point into a shared one like /tmp.
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    // Written beside the target and renamed, so a crash never leaves half a file, and the
    // tokens never sit in a file readable by others, even for a moment (mode at creation).
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, `${JSON.stringify(credentialsSchema.parse(creds), null, 2)}\n`, { mode: 0o600, flag: 'w' });
      await chmod(tmp, 0o600);
      await rename(tmp, this.path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw new CliError(`cannot write ${this.path}: ${(err as Error).message}`);
    }
  }

  async remove(): Promise<boolean> {
    try {
      await rm(this.path);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw new CliError(`cannot remove ${this.path}: ${(err as Error).message}`);
    }
  }
}
