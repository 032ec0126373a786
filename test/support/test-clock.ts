import { Clock } from '../../src/common/util/clock';

/** A clock tests move by hand: expiry is tested by advancing time, never by sleeping. */
export class TestClock extends Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  advanceDays(days: number): void {
    this.advance(days * 24 * 60 * 60 * 1000);
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
