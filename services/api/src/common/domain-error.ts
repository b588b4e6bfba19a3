/**
 * Errors of domain rules, free of any framework so the rules can be unit-tested without Nest; the HTTP layer
 * turns them into responses with the same status and message (see http/domain-error.filter.ts).
 */
export class DomainError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 503,
    readonly messages: string | string[],
  ) {
    super(Array.isArray(messages) ? messages.join('; ') : messages);
  }
}

export const badRequest = (m: string | string[]) => new DomainError(400, m);
export const forbidden = (m: string) => new DomainError(403, m);

/** Throws a 400 listing every problem, if there are any. */
export function failIf(problems: string[]): void {
  if (problems.length) throw badRequest(problems);
}
