/**
 * RFC 3339 text of an instant, as `Date.prototype.toISOString` writes it, for the thousands of
 * points of a history page: the text up to the hour is kept from the previous call (a page's
 * points are ordered, so consecutive points share it), and only minutes, seconds and
 * milliseconds are written. `toISOString` costs about 1 µs a call, a tenth of a 24 h page's CPU.
 */
export class InstantText {
  private hour = Number.NaN;
  private prefix = '';

  of(instant: number): string {
    // A Date keeps whole milliseconds (truncated toward zero), so does this.
    const ms = Math.trunc(instant);
    const hour = Math.floor(ms / 3_600_000);
    // Outside four-digit years toISOString writes an expanded year; leave those to it.
    if (ms < 0 || ms >= 253_402_300_800_000) return new Date(ms).toISOString();
    if (hour !== this.hour) {
      this.hour = hour;
      this.prefix = new Date(hour * 3_600_000).toISOString().slice(0, 14);
    }
    const inHour = ms - hour * 3_600_000;
    const minutes = Math.floor(inHour / 60_000);
    const seconds = Math.floor((inHour % 60_000) / 1000);
    const millis = inHour % 1000;
    return `${this.prefix}${TWO[minutes]}:${TWO[seconds]}.${THREE[millis]}Z`;
  }
}

const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
