import { Command } from 'commander';
import { x509 } from '../../domain/certificates/x509.js';
import { withDomain } from '../context.js';
import { output, storeCommand as sub } from '../options.js';

/** `ov2x pki …`: the platform's certificate authorities. */
export function pkiCommand(): Command {
  const cmd = new Command('pki').description('Manage the platform\'s PKI (certificate authorities, OCSP).');

  cmd.addCommand(sub('iso15118-init', 'Create the local ISO 15118 test PKI (V2G root → CPO sub-CA 1 → CPO sub-CA 2, MO root → MO sub-CA, OCSP signers) unless it exists, and print its root certificates. Private keys are stored sealed and never printed.')
    .action(async (opts: Record<string, unknown>) => {
      await withDomain(opts, async ({ domain }) => {
        const created = await domain.iso15118Pki.init();
        const roots = await domain.iso15118Pki.roots();
        const describe = (pem: string) => {
          const c = new x509.X509Certificate(pem);
          return `${c.subject} (serial ${c.serialNumber}, until ${c.notAfter.toISOString()})`;
        };
        output(opts.json as boolean, { created, v2gRoot: roots.v2gRoot, moRoot: roots.moRoot }, () =>
          `${created ? 'created' : 'already present'}:\n  V2G root: ${describe(roots.v2gRoot)}\n  MO root:  ${describe(roots.moRoot)}\n\n${roots.v2gRoot}\n${roots.moRoot}`);
      });
    }));

  return cmd;
}
