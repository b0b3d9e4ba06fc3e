import { Command, Option } from 'commander';
import { loadConfig, type Config } from '../config/config.js';
import { settings, type SettingName } from '../config/settings.js';

/** Adds the flags of the given settings (from the settings table) to a command. */
export function withSettings(cmd: Command, names: readonly SettingName[]): Command {
  for (const name of names) {
    const s = settings[name];
    const flag = s.type === 'bool' ? `${s.flag} [bool]` : `${s.flag} <value>`;
    cmd.addOption(new Option(flag, `${s.doc} (env ${s.env})`));
  }
  return cmd;
}

/** Settings every command that opens the store needs. */
export const storeSettings: readonly SettingName[] = ['dataDir', 'databaseUrl', 'secretFile', 'logLevel'];

/** The configuration from parsed flags, environment and defaults. */
export function configFrom(opts: Record<string, unknown>): Config {
  const flags: Partial<Record<SettingName, string | boolean>> = {};
  for (const name of Object.keys(settings) as SettingName[]) {
    const v = opts[name];
    if (typeof v === 'string' || typeof v === 'boolean') flags[name] = v;
  }
  return loadConfig(flags);
}

/** Prints a result: JSON with --json, otherwise the human rendering. */
export function output(json: boolean | undefined, data: unknown, human: () => string): void {
  console.log(json ? JSON.stringify(data) : human());
}

/** A usage error: printed without a stack trace, exit code 2. */
export class UsageError extends Error {}

/** A subcommand that opens the store and can print JSON. */
export function storeCommand(name: string, description: string): Command {
  return withSettings(new Command(name).description(description).option('--json', 'machine-readable output'), storeSettings);
}

/** The --limit of list commands. */
export function limitOf(v: unknown): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 10000) throw new UsageError('--limit must be an integer between 1 and 10000');
  return n;
}
