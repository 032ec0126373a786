import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RawBody } from '../../common/http/envelope.interceptor';
import { RateLimit } from '../../common/rate-limit/rate-limit.decorator';
import { ApiEnvelope, ApiErrors } from '../../common/swagger/api-responses';
import { CreateGuestOrderDto, GuestLookupDto, GuestLookupResultDto, PlacedOrderDto } from './dto/order.dto';
import { IDEMPOTENCY_HEADER_DOC, IdempotencyKey, sendStored } from './idempotency-key';
import { IdempotencyService } from './idempotency.service';
import { OrdersService } from './orders.service';

@ApiTags('guest orders')
@Controller('api/v1/orders')
export class GuestOrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly idempotency: IdempotencyService,
  ) {}

  @Post('guest')
  @RateLimit('guestOrder')
  @ApiOperation({ summary: 'Order the guest cart of a session (sandbox payment: tok_visa pays)' })
  @ApiHeader(IDEMPOTENCY_HEADER_DOC)
  @ApiEnvelope(PlacedOrderDto, 201)
  @ApiErrors(
    'VALIDATION_FAILED',
    'PAYMENT_DECLINED',
    'GUEST_SESSION_NOT_FOUND',
    'EMAIL_ALREADY_REGISTERED',
    'INSUFFICIENT_STOCK',
    'GUEST_CART_ALREADY_MERGED',
    'REQUEST_IN_PROGRESS',
    'GUEST_SESSION_EXPIRED',
    'CART_EMPTY',
    'PRODUCT_UNAVAILABLE',
    'IDEMPOTENCY_KEY_REUSED',
    'RATE_LIMITED',
    'PAYMENT_PROVIDER_UNAVAILABLE',
  )
  async create(
    @Body() dto: CreateGuestOrderDto,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RawBody<unknown>> {
    const response = await this.idempotency.execute('guest-order', key, dto, async () => ({
      status: 201,
      body: { success: true, data: await this.orders.placeGuestOrder(dto) },
    }));
    return sendStored(reply, response);
  }

  @Get('guest-lookup')
  @RateLimit('lookup')
  @ApiOperation({
    summary: 'Track a guest order by email and order number (prefer POST: keeps the email out of URLs)',
  })
  @ApiEnvelope(GuestLookupResultDto)
  @ApiErrors('VALIDATION_FAILED', 'ORDER_NOT_FOUND', 'RATE_LIMITED')
  lookupByQuery(@Query() query: GuestLookupDto): Promise<GuestLookupResultDto> {
    return this.orders.lookup(query.email, query.order_number);
  }

  @Post('guest-lookup')
  @HttpCode(200)
  @RateLimit('lookup')
  @ApiOperation({ summary: 'Track a guest order by email and order number; every mismatch is the same 404' })
  @ApiEnvelope(GuestLookupResultDto)
  @ApiErrors('VALIDATION_FAILED', 'ORDER_NOT_FOUND', 'RATE_LIMITED')
  lookup(@Body() dto: GuestLookupDto): Promise<GuestLookupResultDto> {
    return this.orders.lookup(dto.email, dto.order_number);
  }
}
