import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { x509 } from '../../domain/certificates/x509.js';
import { caAlgorithmNames } from '../../domain/pki/algorithms.js';
import { revocationReasons } from '../../domain/pki/cpo-ca.js';
import { PkiError, type CaSummary } from '../../domain/pki/pki-service.js';
import { withDomain } from '../context.js';
import { limitOf, output, storeCommand as sub, UsageError } from '../options.js';

/** PkiError is the operator's mistake: exit code 2 with its reason. */
async function operator<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof PkiError) throw new UsageError(err.message);
    throw err;
  }
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read the ${what} file ${file}`);
  }
}

const describe = (cas: CaSummary[]) => cas.length === 0 ? 'no CPO CA is set up (ov2x pki init)' : cas.map((c) =>
  `${c.role.padEnd(8)} ${c.subject}\n         valid ${c.notBefore.toISOString()} – ${c.notAfter.toISOString()}\n         sha256 ${c.fingerprint}${c.hasKey ? '' : '\n         (key not held by the platform)'}`).join('\n');

export function pkiCommand(): Command {
  const cmd = new Command('pki').description('The CPO root and sub-CA that signs station certificates.');

  cmd.addCommand(sub('init', 'Create a CPO root CA and sub-CA; their keys are stored encrypted under the server secret.')
    .addOption(new Option('--algorithm <alg>', 'CA key algorithm').choices(caAlgorithmNames).default('ec-p256'))
    .option('--organization <name>', 'the CPO organization (O of the CA names)', 'OV2X')
    .action(async (opts: Record<string, unknown>) => {
      const organization = String(opts.organization).trim();
      if (!organization || organization.length > 64) throw new UsageError('--organization must be 1–64 characters');
      await withDomain(opts, async ({ domain }) => {
        const cas = await operator(() => domain.pki.init({ algorithm: opts.algorithm as 'ec-p256', organization }));
        output(opts.json as boolean, cas, () => `CPO CA created\n${describe(cas)}`);
      });
    }));

  cmd.addCommand(sub('import', 'Import an existing sub-CA: its certificate chain (sub-CA first, root last) and its PKCS#8 key.')
    .requiredOption('--chain <file>', 'PEM certificate chain')
    .requiredOption('--key <file>', 'PEM private key of the sub-CA (unencrypted PKCS#8; delete the file afterwards)')
    .action(async (opts: Record<string, unknown>) => {
      const chain = readPem(String(opts.chain), 'chain');
      const key = readPem(String(opts.key), 'key');
      await withDomain(opts, async ({ domain }) => {
        const cas = await operator(() => domain.pki.import(chain, key));
        output(opts.json as boolean, cas, () => `CPO sub-CA imported\n${describe(cas)}`);
      });
    }));

  cmd.addCommand(sub('status', 'Show the CPO CAs (never their keys).')
    .action(async (opts: Record<string, unknown>) => {
      await withDomain(opts, async ({ domain }) => {
        const cas = await domain.pki.status();
        output(opts.json as boolean, cas, () => describe(cas));
      });
    }));

  cmd.addCommand(sub('list', 'List the certificates the sub-CA issued, newest first.')
    .option('--station <id>', 'only this station\'s')
    .option('--limit <n>', 'most certificates to list', '100')
    .action(async (opts: Record<string, unknown>) => {
      const limit = limitOf(opts.limit);
      await withDomain(opts, async ({ domain }) => {
        const rows = (await domain.pki.list({ stationId: opts.station as string | undefined, limit })).map(({ pem: _pem, ...c }) => c);
        output(opts.json as boolean, rows, () => rows.length === 0 ? 'no certificates issued' : rows.map((c) =>
          `${c.serialNumber} ${c.stationId} ${c.certificateType} until ${c.notAfter.toISOString()}${c.revokedAt ? ` REVOKED ${c.revokedAt.toISOString()} (${c.revocationReason})` : ''}`).join('\n'));
      });
    }));

  cmd.addCommand(sub('revoke', 'Revoke an issued certificate: listed in the CRL and refused at the TLS handshake.')
    .argument('<serial>', 'serial number (hex)')
    .addOption(new Option('--reason <reason>', 'RFC 5280 revocation reason').choices(revocationReasons).default('unspecified'))
    .action(async (serial: string, opts: Record<string, unknown>) => {
      await withDomain(opts, async ({ domain }) => {
        const { pem: _pem, ...c } = await operator(() => domain.pki.revoke(serial, String(opts.reason)));
        output(opts.json as boolean, c, () => `certificate ${c.serialNumber} of ${c.stationId} revoked (${c.revocationReason})`);
      });
    }));

  // usage errors of the subcommands exit 2 like every other operator mistake
  for (const c of cmd.commands) c.exitOverride();
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
