// A bounded keeper of a stream's last bytes: a custom check may print megabytes, its message
// needs only the last few lines.

export class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly maxBytes = 4096) {}

  push(chunk: Buffer): void {
    if (chunk.length >= this.maxBytes) {
      this.chunks = [chunk.subarray(chunk.length - this.maxBytes)];
      this.size = this.maxBytes;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - (this.chunks[0]?.length ?? 0) >= this.maxBytes) {
      this.size -= this.chunks.shift()!.length;
    }
  }

  /** The last `n` non-empty lines, oldest first. */
  lastLines(n = 5): string[] {
    const text = Buffer.concat(this.chunks).toString('utf8');
    return text.split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => l.length > 0).slice(-n);
  }
}
