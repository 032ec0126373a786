import { LowerCaseId } from '../../../common/util/transform';
import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { CartDto } from '../../cart/dto/cart.dto';
import { MAX_QUANTITY, QUANTITY } from '../../../common/swagger/bounds';
import { MERGE_STRATEGIES } from '../../../config/env.schema';

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
  @ApiProperty(QUANTITY) quantity!: number;
}

class CombinedLineDto {
  @ApiProperty({ format: 'uuid' }) product_id!: string;
  @ApiProperty(QUANTITY) user_quantity!: number;
  @ApiProperty(QUANTITY) guest_quantity!: number;
  @ApiProperty({ ...QUANTITY, description: 'quantity in the merged cart' }) quantity!: number;
}

class CappedLineDto {
  @ApiProperty({ format: 'uuid' }) product_id!: string;
  @ApiProperty({ ...QUANTITY, maximum: 2 * MAX_QUANTITY, description: 'what the strategy asked for' })
  requested!: number;
  @ApiProperty({ ...QUANTITY, description: 'what the merged cart holds' }) quantity!: number;
  @ApiProperty({ enum: ['STOCK_LIMIT', 'LINE_LIMIT'] }) reason!: 'STOCK_LIMIT' | 'LINE_LIMIT';
}

class RemovedLineDto {
  @ApiProperty({ format: 'uuid' }) product_id!: string;
  @ApiProperty({ ...QUANTITY, maximum: 2 * MAX_QUANTITY, description: 'units the guest cart held' })
  quantity!: number;
  @ApiProperty({ enum: ['OUT_OF_STOCK', 'UNAVAILABLE', 'STOCK_LIMIT', 'LINE_LIMIT'] }) reason!: string;
}

export class MergeReportDto {
  @ApiProperty({ enum: MERGE_STRATEGIES }) strategy!: string;
  @ApiProperty({ type: [AddedLineDto] }) added!: AddedLineDto[];
  @ApiProperty({ type: [CombinedLineDto] }) combined!: CombinedLineDto[];
  @ApiProperty({ type: [CappedLineDto] }) capped!: CappedLineDto[];
  @ApiProperty({ type: [RemovedLineDto] }) removed!: RemovedLineDto[];
}

export class MergeResultDto {
  @ApiProperty({ type: CartDto }) merged_cart!: CartDto;
  @ApiProperty({ type: MergeReportDto }) merge_report!: MergeReportDto;
}
