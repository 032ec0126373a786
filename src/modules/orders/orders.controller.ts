import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentUser } from '../../common/auth/auth.decorators';
import type { AuthUser } from '../../common/auth/auth.types';
import { ApiEnvelope, ApiErrors } from '../../common/swagger/api-responses';
import { OrderEnvelopeDto, OrderListDto } from './dto/order.dto';
import { OrdersService } from './orders.service';

@ApiTags('orders')
@Controller('api/v1/orders')
@Auth()
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Get()
  @ApiOperation({
    summary: "The user's orders, newest first (guest orders linked to the account included)",
    description:
      'At most 100 orders, newest first; guest orders linked to the account (conversion, email verification) are included.',
  })
  @ApiEnvelope(OrderListDto)
  @ApiErrors('RATE_LIMITED')
  async list(@CurrentUser() user: AuthUser): Promise<OrderListDto> {
    return { orders: await this.orders.listForUser(user.id) };
  }

  @Get(':order_number')
  @ApiOperation({
    summary: "One of the user's orders; anyone else's answers 404",
    description:
      'By order number. Another user’s order answers 404 ORDER_NOT_FOUND, exactly like a missing one.',
  })
  @ApiParam({ name: 'order_number', schema: { type: 'string', example: 'GC-7K2M9QX4TB' } })
  @ApiEnvelope(OrderEnvelopeDto)
  @ApiErrors('ORDER_NOT_FOUND', 'RATE_LIMITED')
  async get(
    @CurrentUser() user: AuthUser,
    @Param('order_number') orderNumber: string,
  ): Promise<OrderEnvelopeDto> {
    return { order: await this.orders.getForUser(user.id, orderNumber.slice(0, 32)) };
  }
}
