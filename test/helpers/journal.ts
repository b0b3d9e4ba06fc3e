import type { CommandRecord } from '../../src/domain/journal/command-service.js';
import type { TestPlatform } from './platform.js';

/** Waits until a journalled command's progress reaches one of `final`; returns the record with its updates. */
export async function progressUntil(p: TestPlatform, commandId: number, final: readonly string[], timeoutMs = 8000): Promise<CommandRecord> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const rec = await p.services.commands.get(commandId);
    if (rec && rec.progress !== null && final.includes(rec.progress)) return rec;
    if (Date.now() > until) throw new Error(`command ${commandId} progress is ${rec?.progress ?? 'none'}, not one of ${final.join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The status words of a command's progress updates, in order. */
export const timeline = (rec: CommandRecord): string[] => rec.updates.map((u) => u.status);
