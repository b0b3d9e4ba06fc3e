import { createWriteStream, type WriteStream } from 'node:fs';
import type { EcsDocument } from './ecs.js';
import type { SiemSink } from './sink.js';

/** ECS JSON lines to stdout (`-`) or appended to a file, for a log shipper (Filebeat, Vector) to pick up. */
export class FileSink implements SiemSink {
  readonly name: string;
  readonly batch = 1000;
  private readonly out: NodeJS.WritableStream;
  private readonly own?: WriteStream;

  constructor(target: string) {
    this.name = target === '-' ? 'stdout' : `file:${target}`;
    if (target === '-') this.out = process.stdout;
    else this.out = this.own = createWriteStream(target, { flags: 'a', mode: 0o640 });
  }

  deliver(docs: readonly EcsDocument[]): Promise<void> {
    const text = docs.map((d) => `${JSON.stringify(d)}\n`).join('');
    return new Promise((resolve, reject) => this.out.write(text, (err) => (err ? reject(err) : resolve())));
  }

  async close(): Promise<void> {
    if (this.own) await new Promise<void>((r) => this.own!.end(r));
  }
}
