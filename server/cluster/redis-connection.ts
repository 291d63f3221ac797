/**
 * Connection helpers shared by the Redis connections of the room bus: common ioredis options,
 * bounded waits and quits, and error messages that name the server but never the password.
 */
import type { Redis } from 'ioredis';

export class TimeoutError extends Error {}

/** Resolves the promise, or rejects with a TimeoutError saying `message` after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Options every connection of the bus shares. */
export function connectionOptions(timeoutMs: number) {
  return {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    // Keep trying to come back, at most every two seconds.
    retryStrategy: (attempt: number) => Math.min(100 * attempt, 2000),
    // How long a closing socket may linger before it is destroyed (ioredis keeps a timer that long).
    disconnectTimeout: 500,
  };
}

export async function quit(connection: Redis): Promise<void> {
  if (connection.status === 'end') return;
  if (connection.status === 'wait') {
    connection.disconnect();
    return;
  }
  const ended = new Promise<void>((resolve) => connection.once('end', () => resolve()));
  if (connection.status === 'ready') {
    try {
      await withTimeout(connection.quit(), 2000, 'quit timed out');
    } catch {
      connection.disconnect();
    }
  } else {
    connection.disconnect();
  }
  await withTimeout(ended, 2000, 'end timed out').catch(() => connection.disconnect());
}

/** `host:port` of a Redis URL, for messages; throws a RangeError (without the URL) when it is not one. */
export function describeRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError('The Redis URL is malformed; expected redis://[user:password@]host[:port][/db] or rediss://….');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new RangeError(`The Redis URL must start with redis:// or rediss://, not ${parsed.protocol}//.`);
  }
  if (parsed.hostname === '') throw new RangeError('The Redis URL names no host.');
  return `${parsed.hostname}:${parsed.port === '' ? '6379' : parsed.port}`;
}

/** Removes the URL's password (and the URL itself) from a message. */
export function redactUrl(message: string, url: string): string {
  let result = message.split(url).join('<redis url>');
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password !== '') result = result.split(password).join('***');
  } catch {
    // describeRedisUrl already refused a URL that does not parse.
  }
  return result;
}

/** ioredis errors carry only host, port and cause; never the password. Keep message and code. */
export function redactError(error: Error): { message: string; code?: string } {
  const code = (error as NodeJS.ErrnoException).code;
  return code === undefined ? { message: error.message } : { message: error.message, code };
}
