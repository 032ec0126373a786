import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentUser } from '../../common/auth/auth.decorators';
import type { AuthUser } from '../../common/auth/auth.types';
import { RateLimit } from '../../common/rate-limit/rate-limit.decorator';
import { ApiEnvelope, ApiErrors } from '../../common/swagger/api-responses';
import { MergeCartsDto, MergeResultDto } from './dto/merge.dto';
import { MERGE_STRATEGIES } from './merge-strategies';
import { MergeService } from './merge.service';

@ApiTags('cart')
@Controller('api/v1/cart/merge')
export class MergeController {
  constructor(private readonly merges: MergeService) {}

  @Post()
  @HttpCode(200)
  @Auth()
  @RateLimit('merge')
  @ApiOperation({
    summary: `Merge a guest cart into the authenticated user’s cart (MERGE_STRATEGY: ${MERGE_STRATEGIES.join(' | ')})`,
    description:
      'Applies once: the guest cart is emptied and marked merged. Retrying with the same user returns the stored report and changes nothing.',
  })
  @ApiEnvelope(MergeResultDto)
  @ApiErrors(
    'VALIDATION_FAILED',
    'GUEST_SESSION_NOT_FOUND',
    'GUEST_CART_ALREADY_MERGED',
    'GUEST_SESSION_EXPIRED',
    'RATE_LIMITED',
  )
  merge(@CurrentUser() user: AuthUser, @Body() dto: MergeCartsDto): Promise<MergeResultDto> {
    return this.merges.merge(user.id, dto.guest_session_id);
  }
}
