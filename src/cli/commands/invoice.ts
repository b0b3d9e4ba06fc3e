import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { PERIOD, previousPeriod } from '../../domain/invoices/index.js';
import { withDomain } from '../context.js';
import { output, storeCommand as sub, UsageError } from '../options.js';

export function invoiceCommand(): Command {
  const cmd = new Command('invoice').description('Invoices from CDRs: the monthly run, PDFs.');

  cmd.addCommand(sub('run', 'Build the draft invoices of every customer with CDRs issued in a month (UTC); --issue numbers them too.')
    .option('--period <YYYY-MM>', 'the month to bill (default: last month)')
    .option('--issue', 'issue the drafts (assigns the invoice numbers)', false)
    .action(async (opts: Record<string, unknown>) => {
      const period = opts.period === undefined ? previousPeriod(new Date()) : String(opts.period);
      if (!PERIOD.test(period)) throw new UsageError('--period must be YYYY-MM');
      await withDomain(opts, async ({ domain }) => {
        const r = await domain.invoices.run(period, { issue: opts.issue === true }, (customerId, err) => console.error(`ov2x: customer ${customerId}: ${err instanceof Error ? err.message : String(err)}`));
        output(opts.json as boolean, r, () => `${r.period}: ${r.customers} customers, ${r.drafts} drafts, ${r.issued} issued${r.failed.length ? `, failed for customers ${r.failed.join(', ')}` : ''}`);
        if (r.failed.length) process.exitCode = 1;
      });
    }));

  cmd.addCommand(sub('pdf', 'Write an invoice as a PDF file.')
    .argument('<id>')
    .requiredOption('--out <file>', 'the PDF file to write')
    .action(async (id: string, opts: Record<string, unknown>) => {
      if (!/^[0-9]{1,15}$/.test(id)) throw new UsageError('invoice id must be a number');
      await withDomain(opts, async ({ domain }) => {
        const inv = await domain.invoices.get(Number(id));
        if (!inv) throw new UsageError(`invoice ${id} does not exist`);
        await writeFile(String(opts.out), await domain.invoices.pdf(inv));
        output(opts.json as boolean, { id, number: inv.number, file: opts.out }, () => `invoice ${inv.number ?? `draft ${id}`} written to ${String(opts.out)}`);
      });
    }));

  return cmd;
}
