import { LowerCaseId } from '../../../common/util/transform';
import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { CartDto } from '../../cart/dto/cart.dto';
import { MAX_QUANTITY, QUANTITY } from '../../../common/swagger/bounds';
import {
  MERGE_CAP_REASONS,
  MERGE_DROP_REASONS,
  MergeCapReason,
  MergeDropReason,
  MergeReport,
} from '../cart-merger';
import { MERGE_STRATEGIES, MergeStrategyName } from '../merge-strategies';

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
  @ApiProperty({ enum: MERGE_CAP_REASONS }) reason!: MergeCapReason;
}

class RemovedLineDto {
  @ApiProperty({ format: 'uuid' }) product_id!: string;
  @ApiProperty({ ...QUANTITY, maximum: 2 * MAX_QUANTITY, description: 'units the guest cart held' })
  quantity!: number;
  @ApiProperty({ enum: MERGE_DROP_REASONS }) reason!: MergeDropReason;
}

export class MergeReportDto {
  @ApiProperty({ enum: MERGE_STRATEGIES }) strategy!: MergeStrategyName;
  @ApiProperty({ type: [AddedLineDto] }) added!: AddedLineDto[];
  @ApiProperty({ type: [CombinedLineDto] }) combined!: CombinedLineDto[];
  @ApiProperty({ type: [CappedLineDto] }) capped!: CappedLineDto[];
  @ApiProperty({ type: [RemovedLineDto] }) removed!: RemovedLineDto[];
}

export class MergeResultDto {
  @ApiProperty({ type: CartDto }) merged_cart!: CartDto;
  @ApiProperty({ type: MergeReportDto }) merge_report!: MergeReportDto;
}

/** The report in the contract's casing (§5): what is answered, stored in the audit and replayed. */
export function toMergeReportResponse(report: MergeReport): MergeReportDto {
  return {
    strategy: report.strategy,
    added: report.added.map((line) => ({ product_id: line.productId, quantity: line.quantity })),
    combined: report.combined.map((line) => ({
      product_id: line.productId,
      user_quantity: line.userQuantity,
      guest_quantity: line.guestQuantity,
      quantity: line.quantity,
    })),
    capped: report.capped.map((line) => ({
      product_id: line.productId,
      requested: line.requested,
      quantity: line.quantity,
      reason: line.reason,
    })),
    removed: report.removed.map((line) => ({
      product_id: line.productId,
      quantity: line.quantity,
      reason: line.reason,
    })),
  };
}
