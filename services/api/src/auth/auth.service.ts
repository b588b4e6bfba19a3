import { HttpException, HttpStatus, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import bcrypt from 'bcryptjs';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import { ApiConfig } from '../config';
import type { Principal } from '../policy/principal';
import { LOGGER, MONGO } from '../tokens';
import { afterFailure, afterSuccess, isLocked } from './lockout';
import { UsersRepository, type UserDoc } from './users.repository';

interface TokenClaims {
  sub: string;
  typ: 'access' | 'refresh' | 'stream';
  ver: number;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshExpiresIn: number;
  user: Principal;
}

// Compared against when the username is unknown, so that both cases take the same time.
const DUMMY_HASH = bcrypt.hashSync('not-a-real-password', 10);

export function principalOf(u: UserDoc): Principal {
  return {
    id: u._id,
    username: u.username,
    role: u.role,
    ...(u.operatorId ? { operatorId: u.operatorId } : {}),
    ...(u.agencyId ? { agencyId: u.agencyId } : {}),
  };
}

@Injectable()
export class AuthService {
  readonly users: UsersRepository;

  constructor(
    @Inject(MONGO) mongo: { db: Db },
    @Inject(ApiConfig) private readonly config: ApiConfig,
    @Inject(JwtService) private readonly jwt: JwtService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.users = new UsersRepository(mongo.db);
  }

  async login(username: string, password: string, now = new Date()): Promise<TokenPair> {
    const user = await this.users.findByUsername(username);
    if (!user) {
      await bcrypt.compare(password, DUMMY_HASH);
      throw new UnauthorizedException('invalid username or password');
    }
    const state = { failedLogins: user.failedLogins ?? 0, lockedUntil: user.lockedUntil ?? null };
    if (isLocked(state, now)) {
      throw new HttpException(
        {
          statusCode: 423,
          error: 'Locked',
          message: `account locked after ${this.config.LOGIN_MAX_FAILURES} failed logins; try again after ${state.lockedUntil!.toISOString()}`,
        },
        HttpStatus.LOCKED,
      );
    }
    const ok = await bcrypt.compare(password, user.passwordHash);
    if (!ok) {
      const next = afterFailure(state, now, {
        maxFailures: this.config.LOGIN_MAX_FAILURES,
        lockMs: this.config.LOGIN_LOCK_MS,
      });
      await this.users.setLockout(user._id, next);
      this.logger.warn({ username, locked: next.lockedUntil !== null }, 'failed login');
      throw new UnauthorizedException('invalid username or password');
    }
    if (user.disabled) throw new UnauthorizedException('account is disabled');
    if (state.failedLogins > 0 || state.lockedUntil) await this.users.setLockout(user._id, afterSuccess());
    return this.issue(user);
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const claims = await this.verify(refreshToken, 'refresh');
    const user = await this.users.findById(claims.sub);
    if (!user || user.disabled || (user.tokenVersion ?? 0) !== claims.ver)
      throw new UnauthorizedException('refresh token is no longer valid; log in again');
    return this.issue(user);
  }

  /** The principal of an access token, loaded fresh from the database (role and tenant changes apply at once). */
  async authenticate(
    accessToken: string,
    accept: readonly TokenClaims['typ'][] = ['access'],
  ): Promise<Principal> {
    const claims = await this.verify(accessToken, accept);
    const user = await this.users.findById(claims.sub);
    if (!user || user.disabled || (user.tokenVersion ?? 0) !== claims.ver)
      throw new UnauthorizedException('token is no longer valid; log in again');
    return principalOf(user);
  }

  /**
   * A short-lived token (60 s) for `?access_token=` on streams: a URL ends up in proxy logs and browser history,
   * so it carries a token that is soon useless and good for nothing but opening a stream.
   */
  async streamTicket(p: Principal): Promise<{ ticket: string; expiresIn: number }> {
    const user = await this.users.findById(p.id);
    if (!user) throw new UnauthorizedException('token is no longer valid; log in again');
    const expiresIn = 60;
    const ticket = await this.jwt.signAsync(
      { sub: user._id, typ: 'stream', ver: user.tokenVersion ?? 0 },
      { secret: this.config.JWT_SECRET, expiresIn, algorithm: 'HS256' },
    );
    return { ticket, expiresIn };
  }

  private async verify(
    token: string,
    typs: TokenClaims['typ'] | readonly TokenClaims['typ'][],
  ): Promise<TokenClaims> {
    const accept = typeof typs === 'string' ? [typs] : typs;
    const typ = accept.join(' or ');
    let claims: TokenClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(token, {
        secret: this.config.JWT_SECRET,
        algorithms: ['HS256'],
      });
    } catch (e) {
      throw new UnauthorizedException(`invalid ${typ} token: ${(e as Error).message}`);
    }
    if (!accept.includes(claims.typ)) throw new UnauthorizedException(`not an ${typ} token`);
    return claims;
  }

  private async issue(user: UserDoc): Promise<TokenPair> {
    const ver = user.tokenVersion ?? 0;
    const principal = principalOf(user);
    const [accessToken, refreshToken] = await Promise.all([
      this.jwt.signAsync(
        { sub: user._id, typ: 'access', ver, role: user.role, username: user.username },
        { secret: this.config.JWT_SECRET, expiresIn: this.config.JWT_ACCESS_TTL_S, algorithm: 'HS256' },
      ),
      this.jwt.signAsync(
        { sub: user._id, typ: 'refresh', ver },
        { secret: this.config.JWT_SECRET, expiresIn: this.config.JWT_REFRESH_TTL_S, algorithm: 'HS256' },
      ),
    ]);
    return {
      accessToken,
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.config.JWT_ACCESS_TTL_S,
      refreshExpiresIn: this.config.JWT_REFRESH_TTL_S,
      user: principal,
    };
  }
}
