import { Body, Controller, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorStatusOverrides } from '../../common/errors/error-codes';
import { CurrentUser, OptionalAuth } from '../../common/auth/auth.decorators';
import type { AuthUser } from '../../common/auth/auth.types';
import { EnvelopeMessage, MergeRouteConfig } from '../../common/http/envelope';
import { CurrentIdempotency, Idempotent } from '../../common/idempotency/idempotent.decorator';
import type { IdempotencyAttempt } from '../../common/idempotency/idempotency.types';
import { RateLimit } from '../../common/rate-limit/rate-limit.decorator';
import { ApiErrors } from '../../common/swagger/api-responses';
import { CompatOrdersService } from './compat-orders.service';
import {
  COMPAT_SUCCESS_MESSAGE,
  CompatCreateOrderDto,
  CompatOrderDto,
  CompatOrderResponseDto,
  toCompatOrder,
} from './dto/compat-order.dto';

@ApiTags('compatibility (spec 002)')
@Controller('api/orders')
export class CompatOrdersController {
  constructor(private readonly compat: CompatOrdersService) {}

  @Post()
  // contract §9: a registered email without its token is a 400 here (409 elsewhere); §1: camelCase details
  @MergeRouteConfig({
    errorStatus: { EMAIL_ALREADY_REGISTERED: 400 },
    camelCaseDetails: true,
  } satisfies ErrorStatusOverrides)
  @OptionalAuth()
  @RateLimit('guestOrder')
  @Idempotent('compat-order')
  @EnvelopeMessage(COMPAT_SUCCESS_MESSAGE)
  @ApiOperation({
    summary:
      'Spec-002 checkout: guest-pattern emails may order any number of times; no payment step (PENDING)',
    description:
      'camelCase body. No token: a guest order. With a Bearer token: the order belongs to that user. A registered email without its account’s token → 400 EMAIL_ALREADY_REGISTERED. unitPrice must equal the current price (409 PRICE_MISMATCH). quantity obeys MAX_LINE_QUANTITY and the lines MAX_CART_LINES (422 CART_LIMIT_EXCEEDED). productId is this service’s product UUID.',
  })
  @ApiResponse({ status: 201, type: CompatOrderResponseDto })
  @ApiErrors(
    'VALIDATION_FAILED',
    'EMAIL_ALREADY_REGISTERED',
    'PRICE_MISMATCH',
    'INSUFFICIENT_STOCK',
    'PRODUCT_UNAVAILABLE',
    'CART_LIMIT_EXCEEDED',
    'RATE_LIMITED',
  )
  async create(
    @Body() dto: CompatCreateOrderDto,
    @CurrentUser() user: AuthUser | undefined,
    @CurrentIdempotency() attempt: IdempotencyAttempt | undefined,
  ): Promise<CompatOrderDto> {
    return toCompatOrder(dto, await this.compat.create(dto, user, attempt));
  }
}
