import { Injectable } from '@nestjs/common';
import { burnPasswordCheck, hashPassword, needsRehash, verifyPassword } from './password.js';

/** Password hashing (argon2id, see password.ts) as the users feature offers it to others: sign-in checks passwords through it. */
@Injectable()
export class PasswordHasher {
  hash(password: string): Promise<string> {
    return hashPassword(password);
  }

  verify(password: string, stored: string): Promise<boolean> {
    return verifyPassword(password, stored);
  }

  /** True when a stored hash should be replaced at the next successful sign-in (scrypt, or argon2id below today's cost). */
  needsRehash(stored: string): boolean {
    return needsRehash(stored);
  }

  /** Takes as long as verify, for a sign-in with an unknown email: the answer time must not tell which emails exist. */
  burnCheck(password: string): Promise<void> {
    return burnPasswordCheck(password);
  }
}
