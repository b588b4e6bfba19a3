import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { DomainError } from '../common/domain-error';

const NAMES: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  503: 'Service Unavailable',
};

/** Answers a DomainError the way Nest answers its own HTTP exceptions: { statusCode, message, error }. */
@Catch(DomainError)
export class DomainErrorFilter implements ExceptionFilter {
  catch(e: DomainError, host: ArgumentsHost) {
    const res = host.switchToHttp().getResponse<{ status(code: number): { json(body: unknown): void } }>();
    res.status(e.status).json({ statusCode: e.status, message: e.messages, error: NAMES[e.status] });
  }
}
