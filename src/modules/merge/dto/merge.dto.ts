import { LowerCaseId } from '../../../common/util/transform';
import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { CartDto } from '../../cart/dto/cart.dto';

export class MergeCartsDto {
  @ApiProperty({
    format: 'uuid',
    description: 'the guest session whose cart moves into the authenticated user’s cart',
  })
  @LowerCaseId()
  @IsUUID('all', { message: 'guest_session_id must be a UUID' })
  guest_session_id!: string;
}

class AddedLineDto {
  @ApiProperty({ format: 'uuid' }) product_id!: string;
  @ApiProperty() quantity!: number;
}

class CombinedLineDto {
  @ApiProperty({ format: 'uuid' }) product_id!: string;
  @ApiProperty() user_quantity!: number;
  @ApiProperty() guest_quantity!: number;
  @ApiProperty({ description: 'quantity in the merged cart' }) quantity!: number;
}

class CappedLineDto {
  @ApiProperty({ format: 'uuid' }) product_id!: string;
  @ApiProperty({ description: 'what the strategy asked for' }) requested!: number;
  @ApiProperty({ description: 'what the merged cart holds' }) quantity!: number;
  @ApiProperty({ enum: ['STOCK_LIMIT', 'LINE_LIMIT'] }) reason!: string;
}

class RemovedLineDto {
  @ApiProperty({ format: 'uuid' }) product_id!: string;
  @ApiProperty() quantity!: number;
  @ApiProperty({ enum: ['OUT_OF_STOCK', 'UNAVAILABLE', 'STOCK_LIMIT', 'LINE_LIMIT'] }) reason!: string;
}

export class MergeReportDto {
  @ApiProperty({ enum: ['sum', 'guest', 'user', 'newest'] }) strategy!: string;
  @ApiProperty({ type: [AddedLineDto] }) added!: AddedLineDto[];
  @ApiProperty({ type: [CombinedLineDto] }) combined!: CombinedLineDto[];
  @ApiProperty({ type: [CappedLineDto] }) capped!: CappedLineDto[];
  @ApiProperty({ type: [RemovedLineDto] }) removed!: RemovedLineDto[];
}

export class MergeResultDto {
  @ApiProperty({ type: CartDto }) merged_cart!: CartDto;
  @ApiProperty({ type: MergeReportDto }) merge_report!: MergeReportDto;
}
