import { Body, Controller, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentUser } from '../../common/auth/auth.decorators';
import type { AuthUser } from '../../common/auth/auth.types';
import { CurrentIdempotency, Idempotent } from '../../common/idempotency/idempotent.decorator';
import type { IdempotencyAttempt } from '../../common/idempotency/idempotency.types';
import { RateLimit } from '../../common/rate-limit/rate-limit.decorator';
import { ApiEnvelope, ApiErrors } from '../../common/swagger/api-responses';
import { CheckoutService } from './checkout.service';
import {
  CreateGuestOrderDto,
  CreateUserOrderDto,
  PlacedOrderDto,
  toGuestCheckout,
  toPlacedOrderResponse,
  toUserCheckout,
} from './dto/checkout.dto';

const STEPS =
  'The order is written awaiting payment, the provider is charged outside any transaction (the order id is its idempotency reference), then the order is marked paid — or released on a decline/outage. After a 503, retry with the same Idempotency-Key: the order is finished, never placed or charged twice. The cart is empty after a 201 and unchanged after any error.';

@ApiTags('orders')
@Controller('api/v1/orders')
export class CheckoutController {
  constructor(private readonly checkout: CheckoutService) {}

  @Post('guest')
  @RateLimit('guestOrder')
  @Idempotent('guest-order')
  @ApiOperation({
    summary: 'Order the guest cart of a session (sandbox payment: tok_visa pays)',
    description: STEPS,
  })
  @ApiEnvelope(PlacedOrderDto, 201)
  @ApiErrors(
    'VALIDATION_FAILED',
    'PAYMENT_DECLINED',
    'GUEST_SESSION_NOT_FOUND',
    'EMAIL_ALREADY_REGISTERED',
    'INSUFFICIENT_STOCK',
    'GUEST_CART_ALREADY_MERGED',
    'GUEST_SESSION_EXPIRED',
    'CART_EMPTY',
    'PRODUCT_UNAVAILABLE',
    'ORDER_TOTAL_TOO_LARGE',
    'RATE_LIMITED',
    'PAYMENT_PROVIDER_UNAVAILABLE',
  )
  async placeGuestOrder(
    @Body() dto: CreateGuestOrderDto,
    @CurrentIdempotency() attempt: IdempotencyAttempt | undefined,
  ): Promise<PlacedOrderDto> {
    return toPlacedOrderResponse(await this.checkout.placeGuestOrder(toGuestCheckout(dto), attempt));
  }

  @Post()
  @Auth()
  @Idempotent('user-order')
  @ApiOperation({ summary: "Order the authenticated user's cart", description: STEPS })
  @ApiEnvelope(PlacedOrderDto, 201)
  @ApiErrors(
    'VALIDATION_FAILED',
    'PAYMENT_DECLINED',
    'INSUFFICIENT_STOCK',
    'CART_EMPTY',
    'PRODUCT_UNAVAILABLE',
    'ORDER_TOTAL_TOO_LARGE',
    'RATE_LIMITED',
    'PAYMENT_PROVIDER_UNAVAILABLE',
  )
  async placeUserOrder(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreateUserOrderDto,
    @CurrentIdempotency() attempt: IdempotencyAttempt | undefined,
  ): Promise<PlacedOrderDto> {
    return toPlacedOrderResponse(await this.checkout.placeUserOrder(user.id, toUserCheckout(dto), attempt));
  }
}
