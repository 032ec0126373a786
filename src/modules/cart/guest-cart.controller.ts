import { Body, Controller, Get, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { UuidParam } from '../../common/http/params';
import { RateLimit } from '../../common/rate-limit/rate-limit.decorator';
import { ApiEnvelope, ApiErrors } from '../../common/swagger/api-responses';
import { GuestCartReadResultDto, GuestCartWriteResultDto, WriteGuestCartDto } from './dto/guest-cart.dto';
import { GuestCartService } from './guest-cart.service';

@ApiTags('guest cart')
@Controller('api/v1/cart/guest')
@RateLimit('guestCart')
export class GuestCartController {
  constructor(private readonly guestCarts: GuestCartService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a guest session and cart (201), or replace an existing guest cart’s content (200)',
    description:
      'Replace semantics: `items` becomes the whole content. A refused write changes nothing. A merged guest cart refuses writes (409).',
  })
  @ApiEnvelope(GuestCartWriteResultDto, 201, 'Created a new session and cart')
  @ApiEnvelope(GuestCartWriteResultDto, 200, 'Replaced the content of an existing cart')
  @ApiErrors(
    'VALIDATION_FAILED',
    'GUEST_SESSION_NOT_FOUND',
    'GUEST_CART_ALREADY_MERGED',
    'INSUFFICIENT_STOCK',
    'GUEST_SESSION_EXPIRED',
    'PRODUCT_UNAVAILABLE',
    'CART_LIMIT_EXCEEDED',
    'RATE_LIMITED',
  )
  async write(
    @Body() dto: WriteGuestCartDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<GuestCartWriteResultDto> {
    const lines = dto.items.map((item) => ({ productId: item.product_id, quantity: item.quantity }));
    if (dto.session_id === undefined) return this.guestCarts.create(lines);
    void reply.status(200);
    return this.guestCarts.replace(dto.session_id, lines);
  }

  @Get(':session_id')
  @ApiOperation({
    summary: 'Read a guest cart; lines show whether they can still be bought',
    description:
      'Reads never change items. A read moves `expires_at` at most once per GUEST_SESSION_TOUCH_INTERVAL_SECONDS. Unknown session 404, expired 410.',
  })
  @ApiEnvelope(GuestCartReadResultDto)
  @ApiErrors('VALIDATION_FAILED', 'GUEST_SESSION_NOT_FOUND', 'GUEST_SESSION_EXPIRED', 'RATE_LIMITED')
  get(@UuidParam('session_id') sessionId: string): Promise<GuestCartReadResultDto> {
    return this.guestCarts.get(sessionId);
  }
}
