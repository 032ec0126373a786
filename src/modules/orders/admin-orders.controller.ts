import { Body, Controller, Patch } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '../../common/auth/auth.decorators';
import { UuidParam } from '../../common/http/params';
import { ApiEnvelope, ApiErrors } from '../../common/swagger/api-responses';
import { OrderEnvelopeDto, UpdateOrderStatusDto } from './dto/order.dto';
import { OrdersService } from './orders.service';

@ApiTags('admin')
@Controller('api/v1/admin/orders')
@Auth('admin')
export class AdminOrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Patch(':id/status')
  @ApiOperation({
    summary: 'Move an order along paid → processing → shipped → delivered, or cancel it (restocks) (admin)',
    description:
      'Allowed: paid → processing → shipped → delivered, and cancel before shipping (units go back to stock). Anything else answers 409 INVALID_STATUS_TRANSITION with details [{from, to}]. Every change is kept in the status history.',
  })
  @ApiEnvelope(OrderEnvelopeDto)
  @ApiErrors('VALIDATION_FAILED', 'ORDER_NOT_FOUND', 'INVALID_STATUS_TRANSITION', 'RATE_LIMITED')
  async changeStatus(
    @UuidParam('id') id: string,
    @Body() dto: UpdateOrderStatusDto,
  ): Promise<OrderEnvelopeDto> {
    return { order: await this.orders.changeStatus(id, dto) };
  }
}
