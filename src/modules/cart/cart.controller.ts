import { Body, Controller, Delete, Get, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentUser } from '../../common/auth/auth.decorators';
import type { AuthUser } from '../../common/auth/auth.types';
import { UuidParam } from '../../common/http/params';
import { ApiEnvelope, ApiErrors } from '../../common/swagger/api-responses';
import { CartService } from './cart.service';
import { CartEnvelopeDto, SetCartItemDto } from './dto/cart.dto';

@ApiTags('cart')
@Controller('api/v1/cart')
@Auth()
export class CartController {
  constructor(private readonly carts: CartService) {}

  @Get()
  @ApiOperation({
    summary: "The authenticated user's cart",
    description:
      'Lines show the current catalog price and whether they can still be bought (`available`, `available_quantity`). A user without a cart gets an empty one.',
  })
  @ApiEnvelope(CartEnvelopeDto)
  @ApiErrors('RATE_LIMITED')
  async get(@CurrentUser() user: AuthUser): Promise<CartEnvelopeDto> {
    return { cart: await this.carts.getUserCart(user.id) };
  }

  @Put('items/:product_id')
  @ApiOperation({
    summary: 'Set the quantity of one product in the cart (0 removes the line)',
    description:
      'Validated as a guest cart write: unknown or inactive product 422, above stock 409, above MAX_LINE_QUANTITY or MAX_CART_LINES 422. A refused write changes nothing.',
  })
  @ApiEnvelope(CartEnvelopeDto)
  @ApiErrors(
    'VALIDATION_FAILED',
    'PRODUCT_UNAVAILABLE',
    'INSUFFICIENT_STOCK',
    'CART_LIMIT_EXCEEDED',
    'RATE_LIMITED',
  )
  async setItem(
    @CurrentUser() user: AuthUser,
    @UuidParam('product_id') productId: string,
    @Body() dto: SetCartItemDto,
  ): Promise<CartEnvelopeDto> {
    return { cart: await this.carts.setUserItem(user.id, { productId, quantity: dto.quantity }) };
  }

  @Delete('items/:product_id')
  @ApiOperation({
    summary: 'Remove a product from the cart (idempotent: removing an absent line is fine)',
    description:
      'Removing a product that is not in the cart is not an error; the cart is returned either way.',
  })
  @ApiEnvelope(CartEnvelopeDto)
  @ApiErrors('VALIDATION_FAILED', 'RATE_LIMITED')
  async removeItem(
    @CurrentUser() user: AuthUser,
    @UuidParam('product_id') productId: string,
  ): Promise<CartEnvelopeDto> {
    return { cart: await this.carts.removeUserItem(user.id, productId) };
  }
}
