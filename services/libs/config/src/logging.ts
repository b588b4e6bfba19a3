import pino, { type Logger } from 'pino';
import type { LoggerService } from '@nestjs/common';

/** Structured JSON logs (one object per line) for every service. */
export function createLogger(service: string, level: string, instanceId?: string): Logger {
  return pino({ level, base: { service, ...(instanceId ? { instance: instanceId } : {}) } });
}

/** Lets Nest's own messages go through the same pino logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}

/** Adapts pino to the small logger interfaces the domain classes take. */
export function componentLogger(logger: Logger, component: string) {
  const child = logger.child({ component });
  return {
    log: (msg: string) => child.info(msg),
    warn: (msg: string) => child.warn(msg),
    error: (msg: string, err?: unknown) => child.error({ err }, msg),
  };
}
