import { Command } from 'commander';
import { withDomain } from '../context.js';
import { output, storeCommand as sub } from '../options.js';

/** `ov2x audit …`: the security log's integrity (OP6). */
export function auditCommand(): Command {
  const cmd = new Command('audit').description('The tamper-evident security log.');

  cmd.addCommand(sub('verify', 'Check the hash chain of the security log from its latest checkpoint to its head; exit code 1 at the first broken link.')
    .action(async (opts: Record<string, unknown>) => {
      await withDomain(opts, async ({ domain }) => {
        const r = await domain.securityChain.verify();
        output(opts.json as boolean, r, () => {
          const from = r.anchor.kind === 'genesis' ? 'the first record' : `checkpoint ${r.anchor.seq} (${r.anchor.dropped} records removed by retention before it)`;
          return r.ok
            ? `security log intact: ${r.checked} records from ${from} to head ${r.head.seq} (${r.head.hash})`
            : `security log BROKEN at record ${r.broken!.seq ?? '?'}${r.broken!.id !== null ? ` (id ${r.broken!.id})` : ''}: ${r.broken!.reason}; ${r.checked} records before it verified from ${from}`;
        });
        if (!r.ok) process.exitCode = 1;
      });
    }));

  return cmd;
}
