// Passes bytes through unchanged and stops at the first byte that is not valid UTF-8, naming its
// line. Hand-written because TextDecoder and Buffer.isUtf8 say only *that* bytes are invalid, not
// where; the check is the standard well-formed UTF-8 table (Unicode 15, table 3-7).
import { Transform, type TransformCallback } from 'node:stream';

export class Utf8Error extends Error {
  constructor(readonly line: number) {
    super(`line ${line}: the file is not UTF-8 text (save it as UTF-8 and upload it again)`);
    this.name = 'Utf8Error';
  }
}

export class Utf8Guard extends Transform {
  private line = 1;
  /** Continuation bytes still expected, and the allowed range of the next one. */
  private need = 0;
  private lo = 0x80;
  private hi = 0xbf;
  bytes = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    for (const b of chunk) {
      if (this.need > 0) {
        if (b < this.lo || b > this.hi) return done(new Utf8Error(this.line));
        this.need--;
        this.lo = 0x80;
        this.hi = 0xbf;
        continue;
      }
      if (b < 0x80) {
        if (b === 0x0a) this.line++;
        continue;
      }
      if (b >= 0xc2 && b <= 0xdf) {
        this.need = 1;
        continue;
      }
      if (b >= 0xe0 && b <= 0xef) {
        this.need = 2;
        if (b === 0xe0) this.lo = 0xa0;
        else if (b === 0xed) this.hi = 0x9f;
        continue;
      }
      if (b >= 0xf0 && b <= 0xf4) {
        this.need = 3;
        if (b === 0xf0) this.lo = 0x90;
        else if (b === 0xf4) this.hi = 0x8f;
        continue;
      }
      return done(new Utf8Error(this.line));
    }
    this.bytes += chunk.length;
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    done(this.need > 0 ? new Utf8Error(this.line) : null);
  }
}
