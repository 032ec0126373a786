import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, IsUUID, Length, MaxLength, ValidateIf } from 'class-validator';
import { LowerCaseId, NormalizeEmail, Trim } from '../../../common/util/transform';
import { UserDto } from '../../auth/dto/auth.dto';
import { OrderSummaryDto } from '../../orders/dto/order.dto';
import { COUNT } from '../../../common/swagger/bounds';

export class ConvertGuestDto {
  @ApiProperty({ example: 'jane@example.com' })
  @NormalizeEmail()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: 8, maxLength: 128, example: 'correct horse battery' })
  @IsString()
  @Length(8, 128)
  password!: string;

  @ApiPropertyOptional({
    description: 'the guest order’s id or order number; its email must equal `email`',
    example: 'GC-7K2M9QX4TB',
    minLength: 1,
    maxLength: 64,
  })
  @ValidateIf((_dto, value) => value !== undefined)
  @IsString()
  @Length(1, 64)
  guest_order_id?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'the guest session: its orders (same email) are linked, its cart carried over',
  })
  @ValidateIf((_dto, value) => value !== undefined)
  @LowerCaseId()
  @IsUUID('all', { message: 'guest_session_id must be a UUID' })
  guest_session_id?: string;

  @ApiPropertyOptional({ example: 'Jane', minLength: 1, maxLength: 100 })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 100)
  first_name?: string;

  @ApiPropertyOptional({ example: 'Doe', minLength: 1, maxLength: 100 })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 100)
  last_name?: string;
}

export class ConvertGuestResultDto {
  @ApiProperty({ type: UserDto }) user!: UserDto;
  @ApiProperty({ description: 'JWT access token: send as `Authorization: Bearer <token>`' }) token!: string;
  @ApiProperty({
    type: [OrderSummaryDto],
    description: 'orders linked now: the named one and those of the session',
  })
  linked_orders!: OrderSummaryDto[];
  @ApiProperty({
    ...COUNT,
    description: 'other guest orders with this email, linked when the email is verified',
  })
  pending_link_count!: number;
}

export class VerifyEmailResultDto {
  @ApiProperty({ type: UserDto }) user!: UserDto;
  @ApiProperty({
    type: [OrderSummaryDto],
    description: 'guest orders with this email linked by this verification',
  })
  linked_orders!: OrderSummaryDto[];
}
