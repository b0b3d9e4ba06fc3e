/** One line of progress that rewrites itself on a terminal. */
export interface Progress {
  /** false off a terminal or with --json: callers may skip computing progress at all */
  readonly enabled: boolean;
  update(line: string): void;
  /** ends the line (if one was shown) before the result is printed */
  done(): void;
}

/**
 * Progress of long CLI work on stderr, shown only on a terminal and never with --json, so
 * piped and machine-readable output stays exactly the result.
 */
export function progress(json: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (json || stream.isTTY !== true) return { enabled: false, update: () => undefined, done: () => undefined };
  let shown = false;
  return {
    enabled: true,
    update(line) {
      shown = true;
      stream.write(`\r${line}\x1b[K`);
    },
    done() {
      if (shown) stream.write('\n');
      shown = false;
    },
  };
}
