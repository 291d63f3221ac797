/**
 * Structured JSON logs. One line per connection opened or closed and per error; never document
 * content, view tokens or admin tokens.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'quire' }, timestamp: pino.stdTimeFunctions.isoTime });
}
