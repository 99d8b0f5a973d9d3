import { Injectable } from '@nestjs/common';
import { burnPasswordCheck, hashPassword, verifyPassword } from './password.js';

/** Password hashing (scrypt, see password.ts) as the users feature offers it to others: sign-in checks passwords through it. */
@Injectable()
export class PasswordHasher {
  hash(password: string): Promise<string> {
    return hashPassword(password);
  }

  verify(password: string, stored: string): Promise<boolean> {
    return verifyPassword(password, stored);
  }

  /** Takes as long as verify, for a sign-in with an unknown email: the answer time must not tell which emails exist. */
  burnCheck(password: string): Promise<void> {
    return burnPasswordCheck(password);
  }
}
