import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RateLimit } from '../../common/rate-limit/rate-limit.decorator';
import { ApiEnvelope, ApiErrors } from '../../common/swagger/api-responses';
import { VerifyEmailDto } from '../auth/dto/auth.dto';
import { ConversionService } from './conversion.service';
import { ConvertGuestDto, ConvertGuestResultDto, VerifyEmailResultDto } from './dto/conversion.dto';

@ApiTags('auth')
@Controller('api/v1/auth')
export class ConversionController {
  constructor(private readonly conversion: ConversionService) {}

  @Post('convert-guest')
  @RateLimit('auth')
  @ApiOperation({
    summary:
      'Turn a guest into a customer: account, proven orders linked now, the rest on email verification',
    description:
      'guest_order_id (id or order number) must carry this email, else 404. Names and phone not given come from that order or the newest guest order with this email. The guest session’s orders with this email are linked and its cart is merged into the new account.',
  })
  @ApiEnvelope(ConvertGuestResultDto, 201)
  @ApiErrors(
    'VALIDATION_FAILED',
    'ORDER_NOT_FOUND',
    'GUEST_SESSION_NOT_FOUND',
    'EMAIL_ALREADY_REGISTERED',
    'GUEST_CART_ALREADY_MERGED',
    'GUEST_SESSION_EXPIRED',
    'GUEST_EMAIL_NOT_ALLOWED',
    'RATE_LIMITED',
  )
  convert(@Body() dto: ConvertGuestDto): Promise<ConvertGuestResultDto> {
    return this.conversion.convert(dto);
  }

  @Post('verify-email')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Confirm an email address with the token from the verification mail (single use, 24 h); links that address’s guest orders',
    description:
      'A bad, expired or used token answers 400 INVALID_TOKEN. The other guest orders with this email are linked to the account and listed.',
  })
  @ApiEnvelope(VerifyEmailResultDto)
  @ApiErrors('VALIDATION_FAILED', 'INVALID_TOKEN', 'RATE_LIMITED')
  verifyEmail(@Body() dto: VerifyEmailDto): Promise<VerifyEmailResultDto> {
    return this.conversion.verifyEmail(dto.token);
  }
}
