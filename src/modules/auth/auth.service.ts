import { Transactional } from '@nestjs-cls/transactional';
import type { SQL } from 'drizzle-orm';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AccessTokenPayload } from '../../common/auth/auth.types';
import { AppError } from '../../common/errors/app-error';
import { isUniqueViolation } from '../../common/errors/database-errors';
import { Clock } from '../../common/util/clock';
import { isGuestEmail, normalizeEmail } from '../../common/util/guest-email';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import { UserRow } from '../../database/schema';
import { VerificationContext } from '../mail/mail-content';
import { MailService } from '../mail/mail.service';
import { AuthResultDto, LoginDto, RegisterDto, toUserResponse, UserDto } from './dto/auth.dto';
import { PasswordHasher } from './password-hasher';
import { NewUser, UsersRepository } from './users.repository';
import { hashVerificationToken, newVerificationToken, VERIFICATION_TOKEN_TTL_MS } from './verification-token';

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly jwt: JwtService,
    private readonly mail: MailService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
  ) {}

  /** Creates the ADMIN_EMAIL account at start-up when it does not exist yet (contract §2). */
  async onApplicationBootstrap(): Promise<void> {
    if (this.config.adminEmail === undefined || this.config.adminPassword === undefined) return;
    const created = await this.users.insertIfAbsent({
      email: this.config.adminEmail,
      passwordHash: await this.hasher.hash(this.config.adminPassword),
      role: 'admin',
      emailVerifiedAt: this.clock.now(),
    });
    if (created) this.logger.log('created the admin account from ADMIN_EMAIL');
  }

  /** contract §3: 409 on a taken email, 422 on a guest-pattern one; queues the verification mail. */
  async register(dto: RegisterDto): Promise<AuthResultDto> {
    const { user } = await this.createAccount({
      email: dto.email,
      password: dto.password,
      firstName: dto.first_name ?? null,
      lastName: dto.last_name ?? null,
    });
    return { user: toUserResponse(user), token: await this.issueToken(user) };
  }

  /** Unknown email and wrong password answer the same, after the same amount of hashing work. */
  async login(dto: LoginDto): Promise<AuthResultDto> {
    assertNotGuestEmail(dto.email);
    const user = await this.users.findByEmail(dto.email);
    const valid =
      user === undefined
        ? await this.hasher.verifyAgainstDummy(dto.password)
        : await this.hasher.verify(user.passwordHash, dto.password);
    if (user === undefined || !valid)
      throw new AppError('INVALID_CREDENTIALS', 'Email or password is incorrect');
    return { user: toUserResponse(user), token: await this.issueToken(user) };
  }

  async me(userId: string): Promise<UserDto> {
    const user = await this.users.findById(userId);
    if (user === undefined) throw new AppError('UNAUTHENTICATED', 'The account no longer exists');
    return toUserResponse(user);
  }

  /** Spends a verification token once and marks the email verified (joins the caller's transaction). */
  @Transactional()
  async verifyEmail(token: string): Promise<UserRow> {
    const now = this.clock.now();
    const userId = await this.users.consumeVerificationToken(hashVerificationToken(token), now);
    if (userId === undefined)
      throw new AppError('INVALID_TOKEN', 'The token is invalid, expired or already used');
    const user = await this.users.markEmailVerified(userId, now);
    if (user === undefined)
      throw new AppError('INVALID_TOKEN', 'The token is invalid, expired or already used');
    return user;
  }

  /** The account row (for checkout's customer details), or 401 when it no longer exists. */
  async accountOf(userId: string): Promise<UserRow> {
    const user = await this.users.findById(userId);
    if (user === undefined) throw new AppError('UNAUTHENTICATED', 'The account no longer exists');
    return user;
  }

  /** True when a non-guest address belongs to an account (orders refuse such guests). */
  /** Checkout's "no account uses this email" condition in its placement statement (placeholder guestEmail). */
  guestEmailFree(): SQL {
    return this.users.guestEmailFree();
  }

  async isEmailRegistered(email: string): Promise<boolean> {
    return (await this.users.findByEmail(normalizeEmail(email))) !== undefined;
  }

  /**
   * Creates a customer account and its verification token (joining the caller's transaction if any).
   * The password is hashed before the transaction opens, so no connection waits on argon2.
   */
  async createAccount(input: {
    email: string;
    password: string;
    firstName: string | null;
    lastName: string | null;
    phone?: string | null;
    /** guest orders that verification will link, told in the mail */
    pendingOrders?: number;
  }): Promise<{ user: UserRow; verificationToken: string }> {
    const email = normalizeEmail(input.email);
    assertNotGuestEmail(email);
    const passwordHash = await this.hasher.hash(input.password);
    return this.insertAccount(
      {
        email,
        passwordHash,
        firstName: input.firstName,
        lastName: input.lastName,
        phone: input.phone ?? null,
      },
      input.pendingOrders ?? 0,
    );
  }

  @Transactional()
  private async insertAccount(
    newUser: NewUser,
    pendingOrders: number,
  ): Promise<{ user: UserRow; verificationToken: string }> {
    let user: UserRow;
    try {
      user = await this.users.insert(newUser);
    } catch (error) {
      if (isUniqueViolation(error, 'users_email_lower_key')) {
        throw new AppError(
          'EMAIL_ALREADY_REGISTERED',
          'An account with this email already exists; log in instead',
        );
      }
      throw error;
    }
    const { token, hash } = newVerificationToken();
    await this.users.insertVerificationToken(
      user.id,
      hash,
      new Date(this.clock.now().getTime() + VERIFICATION_TOKEN_TTL_MS),
    );
    await this.queueVerificationMail(user, token, pendingOrders);
    return { user, verificationToken: token };
  }

  /** Queues the verification mail in the current transaction (outbox). */
  async queueVerificationMail(user: UserRow, token: string, pendingOrders = 0): Promise<void> {
    await this.mail.queue({
      to: user.email,
      template: 'email-verification',
      context: {
        firstName: user.firstName,
        token,
        expiresInHours: VERIFICATION_TOKEN_TTL_MS / 3_600_000,
        pendingOrders,
      } satisfies VerificationContext,
    });
  }

  issueToken(user: Pick<UserRow, 'id' | 'role'>): Promise<string> {
    const payload: AccessTokenPayload = { sub: user.id, role: user.role };
    return this.jwt.signAsync(payload);
  }
}

function assertNotGuestEmail(email: string): void {
  if (isGuestEmail(email)) {
    throw new AppError('GUEST_EMAIL_NOT_ALLOWED', 'Guest checkout addresses cannot be used for an account');
  }
}
