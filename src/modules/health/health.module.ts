import { Module } from '@nestjs/common';
import { ShutdownDrain } from '../../common/http/shutdown-drain';
import { HealthController } from './health.controller';

/** ShutdownDrain is provided here, where it shows: main.ts starts the drain, /health reports it. */
@Module({ controllers: [HealthController], providers: [ShutdownDrain] })
export class HealthModule {}
