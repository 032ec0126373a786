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
  @ApiOperation({ summary: 'Create a customer account; a verification mail is sent' })
  @ApiEnvelope(AuthResultDto, 201)
  @ApiErrors('VALIDATION_FAILED', 'EMAIL_ALREADY_REGISTERED', 'GUEST_EMAIL_NOT_ALLOWED', 'RATE_LIMITED')
  register(@Body() dto: RegisterDto): Promise<AuthResultDto> {
    return this.auth.register(dto);
  }

  @Post('login')
  @RateLimit('auth')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange email and password for an access token' })
  @ApiEnvelope(AuthResultDto)
  @ApiErrors('VALIDATION_FAILED', 'INVALID_CREDENTIALS', 'GUEST_EMAIL_NOT_ALLOWED', 'RATE_LIMITED')
  login(@Body() dto: LoginDto): Promise<AuthResultDto> {
    return this.auth.login(dto);
  }

  @Get('me')
  @Auth()
  @ApiOperation({ summary: 'The authenticated user' })
  @ApiEnvelope(UserEnvelopeDto)
  async me(@CurrentUser() user: AuthUser): Promise<UserEnvelopeDto> {
    return { user: await this.auth.me(user.id) };
  }
}
