import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Auth, CurrentUser } from '../../common/auth/auth.decorators';
import type { AuthUser } from '../../common/auth/auth.types';
import { RawBody } from '../../common/http/envelope.interceptor';
import { ApiEnvelope, ApiErrors } from '../../common/swagger/api-responses';
import { CreateUserOrderDto, OrderEnvelopeDto, OrderListDto, PlacedOrderDto } from './dto/order.dto';
import { IDEMPOTENCY_HEADER_DOC, IdempotencyKey, sendStored } from './idempotency-key';
import { IdempotencyService } from './idempotency.service';
import { OrdersService } from './orders.service';

@ApiTags('orders')
@Controller('api/v1/orders')
@Auth()
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly idempotency: IdempotencyService,
  ) {}

  @Post()
  @ApiOperation({ summary: "Order the authenticated user's cart" })
  @ApiHeader(IDEMPOTENCY_HEADER_DOC)
  @ApiEnvelope(PlacedOrderDto, 201)
  @ApiErrors(
    'VALIDATION_FAILED',
    'PAYMENT_DECLINED',
    'INSUFFICIENT_STOCK',
    'REQUEST_IN_PROGRESS',
    'CART_EMPTY',
    'PRODUCT_UNAVAILABLE',
    'IDEMPOTENCY_KEY_REUSED',
    'RATE_LIMITED',
    'PAYMENT_PROVIDER_UNAVAILABLE',
  )
  async create(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreateUserOrderDto,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RawBody<unknown>> {
    const response = await this.idempotency.execute(`user:${user.id}`, key, dto, async () => ({
      status: 201,
      body: { success: true, data: await this.orders.placeUserOrder(user.id, dto) },
    }));
    return sendStored(reply, response);
  }

  @Get()
  @ApiOperation({ summary: "The user's orders, newest first (guest orders linked to the account included)" })
  @ApiEnvelope(OrderListDto)
  @ApiErrors('RATE_LIMITED')
  async list(@CurrentUser() user: AuthUser): Promise<OrderListDto> {
    return { orders: await this.orders.listForUser(user.id) };
  }

  @Get(':order_number')
  @ApiOperation({ summary: "One of the user's orders; anyone else's answers 404" })
  @ApiEnvelope(OrderEnvelopeDto)
  @ApiErrors('ORDER_NOT_FOUND', 'RATE_LIMITED')
  async get(
    @CurrentUser() user: AuthUser,
    @Param('order_number') orderNumber: string,
  ): Promise<OrderEnvelopeDto> {
    return { order: await this.orders.getForUser(user.id, orderNumber.slice(0, 32)) };
  }
}
