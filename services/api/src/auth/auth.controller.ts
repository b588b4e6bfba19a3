import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import type { Principal } from '../policy/principal';
import { AuthService } from './auth.service';
import { AnyRole, CurrentUser, Public } from './decorators';

export class LoginDto {
  @ApiProperty({ example: 'admin' }) @IsString() @Length(1, 100) username!: string;
  @ApiProperty() @IsString() @Length(1, 200) password!: string;
}

export class RefreshDto {
  @ApiProperty() @IsString() @Length(1, 4000) refreshToken!: string;
}

export class TokenPairDto {
  @ApiProperty() accessToken!: string;
  @ApiProperty() refreshToken!: string;
  @ApiProperty({ example: 'Bearer' }) tokenType!: string;
  @ApiProperty({ description: 'seconds' }) expiresIn!: number;
  @ApiProperty({ description: 'seconds' }) refreshExpiresIn!: number;
  @ApiProperty() user!: object;
}

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(@Inject(AuthService) private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in: 401 on a wrong password, 423 while locked after repeated failures' })
  @ApiOkResponse({ type: TokenPairDto })
  login(@Body() body: LoginDto) {
    return this.auth.login(body.username, body.password);
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token for a new token pair' })
  @ApiOkResponse({ type: TokenPairDto })
  refresh(@Body() body: RefreshDto) {
    return this.auth.refresh(body.refreshToken);
  }

  @AnyRole()
  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The signed-in user: role and tenant' })
  me(@CurrentUser() user: Principal) {
    return user;
  }
}
