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
