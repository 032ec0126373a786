import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentUser } from '../../common/auth/auth.decorators';
import type { AuthUser } from '../../common/auth/auth.types';
import { RateLimit } from '../../common/rate-limit/rate-limit.decorator';
import { ApiEnvelope, ApiErrors } from '../../common/swagger/api-responses';
import { AuthService } from './auth.service';
import { AuthResultDto, LoginDto, RegisterDto, UserEnvelopeDto } from './dto/auth.dto';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @RateLimit('auth')
  @ApiOperation({
    summary: 'Create a customer account; a verification mail is sent',
    description:
      'Password 8–128 characters. A taken email answers 409 EMAIL_ALREADY_REGISTERED; a guest-pattern email (spec 002) 422 GUEST_EMAIL_NOT_ALLOWED. Returns the user and a Bearer token.',
  })
  @ApiEnvelope(AuthResultDto, 201)
  @ApiErrors('VALIDATION_FAILED', 'EMAIL_ALREADY_REGISTERED', 'GUEST_EMAIL_NOT_ALLOWED', 'RATE_LIMITED')
  register(@Body() dto: RegisterDto): Promise<AuthResultDto> {
    return this.auth.register(dto);
  }

  @Post('login')
  @RateLimit('auth')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange email and password for an access token',
    description:
      'A wrong email or a wrong password answers the same 401 INVALID_CREDENTIALS, in similar time. Guest-pattern emails can never log in (422).',
  })
  @ApiEnvelope(AuthResultDto)
  @ApiErrors('VALIDATION_FAILED', 'INVALID_CREDENTIALS', 'GUEST_EMAIL_NOT_ALLOWED', 'RATE_LIMITED')
  login(@Body() dto: LoginDto): Promise<AuthResultDto> {
    return this.auth.login(dto);
  }

  @Get('me')
  @Auth()
  @ApiOperation({
    summary: 'The authenticated user',
    description: 'The account behind the Bearer token; never a password hash.',
  })
  @ApiEnvelope(UserEnvelopeDto)
  async me(@CurrentUser() user: AuthUser): Promise<UserEnvelopeDto> {
    return { user: await this.auth.me(user.id) };
  }
}
