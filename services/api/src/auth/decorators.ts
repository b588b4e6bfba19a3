import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Principal } from '../policy/principal';
import type { Action, ResourceName } from '../policy/roles';

export const PUBLIC_KEY = 'dwg:public';
export const RESOURCE_KEY = 'dwg:resource';
export const ACTION_KEY = 'dwg:action';
export const ANY_ROLE_KEY = 'dwg:any-role';
export const QUERY_TOKEN_KEY = 'dwg:query-token';

/** No token needed (login, refresh, health, metrics). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
/** The resource a controller serves: the guard checks the caller's role against roles.ts. */
export const ResourceOf = (name: ResourceName) => SetMetadata(RESOURCE_KEY, name);
/** Whether a handler reads or writes its resource. */
export const Act = (action: Action) => SetMetadata(ACTION_KEY, action);
/**
 * Also accept the token as `?access_token=` (an access token or a short-lived stream ticket): EventSource cannot
 * send headers. Only for streams; the request log redacts it.
 */
export const QueryToken = () => SetMetadata(QUERY_TOKEN_KEY, true);
/** Any signed-in user (e.g. who am I). */
export const AnyRole = () => SetMetadata(ANY_ROLE_KEY, true);

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return (ctx.switchToHttp().getRequest() as { principal: Principal }).principal;
});
