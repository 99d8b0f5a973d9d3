/** Bytes that fail authentication or do not parse: tampering or corruption. Restore and verify refuse them. */
export class IntegrityError extends Error {
  override readonly name = 'IntegrityError';
}

/** A key, object or backup that is not in the repository. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** A repository option or argument that cannot be used (unknown algorithm, unsafe mode, bad size). */
export class RepositoryConfigError extends Error {
  override readonly name = 'RepositoryConfigError';
}
