import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { HttpRequest as Request, HttpResponse as Response } from './http-types';
import type { Logger } from 'pino';
import { LOGGER } from '../tokens';
import { ApiMetrics } from './metrics';

/** One structured log line and the metrics of every request. */
@Injectable()
export class RequestLog implements NestMiddleware {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(ApiMetrics) private readonly metrics: ApiMetrics,
  ) {}

  use(req: Request, res: Response, next: () => void) {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // The route pattern (not the URL) keeps the label set small.
      const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      this.metrics.requests.inc({ method: req.method, route, status: String(res.statusCode) });
      this.metrics.seconds.observe({ method: req.method, route }, seconds);
      const principal = req.principal;
      if (req.originalUrl === '/metrics' || req.originalUrl === '/health') return;
      this.logger.info(
        {
          method: req.method,
          // Stream tickets travel in the URL (EventSource sends no headers): keep them out of the logs.
          url: req.originalUrl.replace(/([?&]access_token=)[^&]*/g, '$1[redacted]'),
          status: res.statusCode,
          ms: Math.round(seconds * 1000),
          user: principal?.username,
        },
        'request',
      );
    });
    next();
  }
}
