import {
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Principal } from '../policy/principal';
import { isAllowed, type Action, type ResourceName } from '../policy/roles';
import { AuthService } from './auth.service';
import { ACTION_KEY, ANY_ROLE_KEY, PUBLIC_KEY, QUERY_TOKEN_KEY, RESOURCE_KEY } from './decorators';

/**
 * The one gate of every HTTP handler (registered as a global guard): authenticates the bearer token, then checks
 * the caller's role against the permission table for the handler's resource and action. A handler that declares
 * neither @Public, @AnyRole nor a resource and action is refused: nothing is open by omission. Tenant scoping of
 * the data itself is applied by the resource service with policy/scope.ts.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AuthService) private readonly auth: AuthService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest<{
      headers: Record<string, string | undefined>;
      query?: Record<string, unknown>;
      principal?: Principal;
    }>();
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const queryToken = req.query?.access_token;
    let principal: Principal;
    if (m) principal = await this.auth.authenticate(m[1]);
    else if (
      typeof queryToken === 'string' &&
      queryToken &&
      this.reflector.getAllAndOverride<boolean>(QUERY_TOKEN_KEY, targets)
    )
      principal = await this.auth.authenticate(queryToken, ['access', 'stream']);
    else throw new UnauthorizedException('missing bearer token (POST /api/auth/login)');
    req.principal = principal;
    if (this.reflector.getAllAndOverride<boolean>(ANY_ROLE_KEY, targets)) return true;
    const resource = this.reflector.getAllAndOverride<ResourceName | undefined>(RESOURCE_KEY, targets);
    const action = this.reflector.getAllAndOverride<Action | undefined>(ACTION_KEY, targets);
    if (!resource || !action) throw new ForbiddenException('this endpoint declares no access policy');
    if (!isAllowed(principal.role, resource, action))
      throw new ForbiddenException(`role ${principal.role} may not ${action} ${resource}`);
    return true;
  }
}
