import { LowerCaseId } from '../../../common/util/transform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayUnique, IsArray, IsInt, IsUUID, Min, ValidateIf, ValidateNested } from 'class-validator';
import { CartDto, CartItemDto } from './cart.dto';
import { QUANTITY } from '../../../common/swagger/bounds';

export class GuestCartLineDto {
  @ApiProperty({ format: 'uuid' })
  @LowerCaseId()
  @IsUUID('all', { message: 'product_id must be a UUID' })
  product_id!: string;

  @ApiProperty({ ...QUANTITY, description: 'above MAX_LINE_QUANTITY → 422 CART_LIMIT_EXCEEDED' })
  @IsInt()
  @Min(1)
  quantity!: number;
}

export class WriteGuestCartDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'omit to create a new session (201); give it to replace that cart’s content (200)',
  })
  // only an absent session_id means "create": IsOptional would also let null through, and the
  // controller would then look up a session with a null id (404 instead of contract §1's 400)
  @ValidateIf((_dto: WriteGuestCartDto, value: unknown) => value !== undefined)
  @LowerCaseId()
  @IsUUID('all', { message: 'session_id must be a UUID' })
  session_id?: string;

  @ApiProperty({
    type: [GuestCartLineDto],
    description:
      'the whole new content (replace semantics); an empty list empties the cart; each product once',
  })
  @IsArray()
  @ArrayUnique((line: GuestCartLineDto | undefined) => line?.product_id, {
    message: 'items must not repeat a product_id',
  })
  @ValidateNested({ each: true })
  @Type(() => GuestCartLineDto)
  items!: GuestCartLineDto[];
}

export class GuestCartDto extends CartDto {
  @ApiProperty({ format: 'uuid' }) session_id!: string;
  @ApiProperty({
    format: 'date-time',
    description: 'moves to now + GUEST_SESSION_TTL_DAYS on every read or write',
  })
  expires_at!: string;
}

export class GuestCartWriteResultDto {
  @ApiProperty({ format: 'uuid' }) session_id!: string;
  @ApiProperty({ type: GuestCartDto }) cart!: GuestCartDto;
}

export class GuestCartReadResultDto extends GuestCartWriteResultDto {
  @ApiProperty({ type: [CartItemDto], description: 'the same as cart.items' }) items!: CartItemDto[];
}
