import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { agentIdSchema } from '@fleetplane/contracts';

/** What enrolling gave the agent, kept in its state directory. */
export const storedCredentialSchema = z.object({
  agentId: agentIdSchema,
  credential: z.string().min(16).max(256),
  site: z.string().max(128).default(''),
  labels: z.record(z.string(), z.string()).default({}),
  enrolledAt: z.string(),
});
export type StoredCredential = z.infer<typeof storedCredentialSchema>;

export const CREDENTIAL_FILE = 'credential.json';

export const credentialPath = (stateDir: string): string => join(stateDir, CREDENTIAL_FILE);

/** The stored credential, null when there is none yet; a file that does not parse is an error (never silently re-enrolled over). */
export async function readCredentialFile(stateDir: string): Promise<StoredCredential | null> {
  let text: string;
  try {
    text = await readFile(credentialPath(stateDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${credentialPath(stateDir)} is not JSON; remove it to enrol again`);
  }
  const parsed = storedCredentialSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(`${credentialPath(stateDir)} is not a credential file (${parsed.error.issues[0]?.path.join('.')}); remove it to enrol again`);
  return parsed.data;
}

/**
 * Writes the credential so that the file is either absent or whole, and never
 * readable by anyone but the agent's user: a temporary file created with mode
 * 0600 (not chmod'ed afterwards, so there is no window), flushed to disk, then
 * renamed over the final name.
 */
export async function writeCredentialFile(stateDir: string, credential: StoredCredential): Promise<string> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const final = credentialPath(stateDir);
  const temp = join(stateDir, `.${CREDENTIAL_FILE}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(credential, null, 2)}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, final);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return final;
}
