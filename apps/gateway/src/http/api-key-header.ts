import type { NextFunction, Request, Response } from 'express';

const API_KEY = Symbol('fleetplane.apiKey');
type WithKey = Request & { [API_KEY]?: string };

/**
 * Moves `X-API-Key` off the request headers before anything can log them: the shared pino
 * redaction covers Authorization and cookies but not this header. The API key strategy reads
 * the key with apiKeyOf().
 */
export function hideApiKeyHeader(req: Request, _res: Response, next: NextFunction): void {
  const value = req.headers['x-api-key'];
  if (value !== undefined) {
    (req as WithKey)[API_KEY] = Array.isArray(value) ? value[0] : value;
    delete req.headers['x-api-key'];
  }
  next();
}

export const apiKeyOf = (req: Request): string | undefined => (req as WithKey)[API_KEY];
