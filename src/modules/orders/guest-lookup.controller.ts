import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RateLimit } from '../../common/rate-limit/rate-limit.decorator';
import { ApiEnvelope, ApiErrors } from '../../common/swagger/api-responses';
import { GuestLookupDto, GuestLookupResultDto } from './dto/order.dto';
import { OrdersService } from './orders.service';

@ApiTags('guest orders')
@Controller('api/v1/orders')
export class GuestLookupController {
  constructor(private readonly orders: OrdersService) {}

  @Get('guest-lookup')
  @RateLimit('lookup')
  @ApiOperation({
    summary: 'Track a guest order by email and order number (prefer POST: keeps the email out of URLs)',
    description:
      'The same answer as the POST form. A wrong email, a wrong number or both answer the same 404 ORDER_NOT_FOUND. 5 attempts per minute per client IP, both forms together.',
  })
  @ApiEnvelope(GuestLookupResultDto)
  @ApiErrors('VALIDATION_FAILED', 'ORDER_NOT_FOUND', 'RATE_LIMITED')
  lookupByQuery(@Query() query: GuestLookupDto): Promise<GuestLookupResultDto> {
    return this.orders.lookup(query.email, query.order_number);
  }

  @Post('guest-lookup')
  @HttpCode(200)
  @RateLimit('lookup')
  @ApiOperation({
    summary: 'Track a guest order by email and order number; every mismatch is the same 404',
    description:
      'The email and order number stay out of URLs and logs. A wrong email, a wrong number or both answer the same 404 ORDER_NOT_FOUND. 5 attempts per minute per client IP, both forms together.',
  })
  @ApiEnvelope(GuestLookupResultDto)
  @ApiErrors('VALIDATION_FAILED', 'ORDER_NOT_FOUND', 'RATE_LIMITED')
  lookup(@Body() dto: GuestLookupDto): Promise<GuestLookupResultDto> {
    return this.orders.lookup(dto.email, dto.order_number);
  }
}
