import { ApiProperty } from '@nestjs/swagger';

export class CleanupRunDto {
  @ApiProperty({ format: 'date-time' }) started_at!: string;
  @ApiProperty({ format: 'date-time' }) finished_at!: string;
  @ApiProperty({
    description: 'rows deleted by kind, e.g. {expired_sessions, merged_guest_carts}',
    type: 'object',
    additionalProperties: { type: 'integer' },
  })
  deleted!: Record<string, number>;
}

export class GuestStatsDto {
  @ApiProperty({ description: 'guest sessions not yet expired' }) active_sessions!: number;
  @ApiProperty({ description: 'expired guest sessions the cleanup has not deleted yet' })
  expired_sessions!: number;
  @ApiProperty({ description: 'unmerged guest carts holding at least one line' })
  guest_carts_with_items!: number;
  @ApiProperty({ description: 'orders placed as a guest (linked ones included)' }) guest_orders!: number;
  @ApiProperty({ description: 'accounts created by guest-to-user conversion' }) conversions!: number;
  @ApiProperty({ description: 'cart merges ever recorded' }) merges!: number;
  @ApiProperty({ type: CleanupRunDto, nullable: true }) last_cleanup!: CleanupRunDto | null;
}
