import type { LocalAuthListRepo, LocalListEntry, TokenRepo } from '../../store/index.js';
import { redactTokens } from '../../store/repos/token-refs.js';
import type { CommandRecord, CommandService } from '../journal/command-service.js';

export interface LocalListSync {
  updateType: 'Full' | 'Differential';
  /** the version sent (absent when nothing had to be sent) */
  version?: number;
  /** the station's answer, Failed when it could not be reached, or UpToDate when nothing changed */
  status: string;
  /** the journalled SendLocalList */
  command?: CommandRecord;
  /** the differential attempt that was refused before this full update was sent */
  fallbackFrom?: LocalListSync;
}

const sameEntry = (a: LocalListEntry, b: LocalListEntry): boolean => a.type === b.type && JSON.stringify(a.info ?? null) === JSON.stringify(b.info ?? null);

/**
 * The local authorization list of each station, derived from the token store. The CSMS keeps,
 * per station, the version the station last accepted and the entries it holds at that version,
 * so an update sends only what changed since (added and changed entries with their info,
 * removed ones without). Version numbers only increase; a station that answers VersionMismatch
 * (or Failed) to a differential update gets the full list instead.
 */
export class LocalAuthListService {
  constructor(
    private readonly repo: LocalAuthListRepo,
    private readonly tokens: TokenRepo,
    private readonly commands: CommandService,
  ) {}

  /** The list every station should hold now: every token with its current status. */
  async desired(): Promise<LocalListEntry[]> {
    return (await this.tokens.all()).map((t) => ({
      idToken: t.idToken, type: t.type,
      info: { status: t.status, ...(t.expiresAt && { expiresAt: t.expiresAt.toISOString() }), ...(t.groupIdToken && { groupIdToken: t.groupIdToken }) },
    }));
  }

  /** Brings the station's list up to date: differential when it has accepted a list before, else full. */
  async sync(stationId: string, opts: { full?: boolean } = {}): Promise<LocalListSync> {
    const [state, desired] = await Promise.all([this.repo.get(stationId), this.desired()]);
    const held = state && state.version > 0 ? state.entries : undefined;
    if (opts.full || !held) return this.send(stationId, 'Full', desired, desired);
    const changes = await this.changes(held, desired);
    if (!changes) return this.send(stationId, 'Full', desired, desired);
    if (changes.length === 0) return { updateType: 'Differential', version: state!.version, status: 'UpToDate' };
    const attempt = await this.send(stationId, 'Differential', changes, desired);
    if (attempt.status !== 'VersionMismatch' && attempt.status !== 'Failed') return attempt;
    // OCPP 1.6 §5.15 / 2.0.1 D01: after a refused differential update, send the full list
    return { ...(await this.send(stationId, 'Full', desired, desired)), fallbackFrom: attempt };
  }

  /**
   * The differential update with UIDs: held entries are stored by pseudonym (migration 0024), so
   * the comparison runs on pseudonyms and the entries to send are mapped back to the UIDs held in
   * memory; a removed entry's UID is decrypted from id_tokens. Undefined when a removed entry's
   * UID is gone (an erased token): only a full update can then remove it from the station.
   */
  private async changes(held: LocalListEntry[], desired: LocalListEntry[]): Promise<LocalListEntry[] | undefined> {
    if (!this.repo.pseudonymized) return differential(held, desired);
    const refs = (await redactTokens(desired, { ref: (uid) => this.tokens.ref(uid) })) as LocalListEntry[];
    const byRef = new Map(refs.map((e, i) => [e.idToken, desired[i]!]));
    const out: LocalListEntry[] = [];
    for (const change of differential(held, refs)) {
      const wanted = byRef.get(change.idToken);
      if (wanted) {
        out.push(wanted);
        continue;
      }
      const uid = (await this.tokens.byPseudonym(change.idToken))?.idToken;
      if (!uid) return undefined;
      out.push({ idToken: uid, type: change.type });
    }
    return out;
  }

  /** GetLocalListVersion: the station's version (1.6 may answer -1 = not supported), with the journal record. */
  async stationVersion(stationId: string): Promise<{ version?: number; command: CommandRecord }> {
    const command = await this.commands.send(stationId, { kind: 'getLocalListVersion' });
    const r = command.response ?? {};
    const version = typeof r.listVersion === 'number' ? r.listVersion : typeof r.versionNumber === 'number' ? r.versionNumber : undefined;
    return { version, command };
  }

  /** The list state the CSMS believes the station holds. */
  async state(stationId: string): Promise<{ version: number; entries: LocalListEntry[]; lastStatus: string | null } | undefined> {
    const s = await this.repo.get(stationId);
    return s && { version: s.version, entries: s.entries, lastStatus: s.lastStatus };
  }

  private async send(stationId: string, updateType: 'Full' | 'Differential', entries: LocalListEntry[], desired: LocalListEntry[]): Promise<LocalListSync> {
    const version = await this.repo.nextVersion(stationId);
    const command = await this.commands.send(stationId, { kind: 'sendLocalList', version, updateType, entries });
    await this.repo.recordSync(stationId, command.status, command.status === 'Accepted' ? { version, entries: desired } : undefined);
    return { updateType, version, status: command.status, command };
  }
}

/** What turns `held` into `desired`: new and changed entries with their info, removed ones without. */
export function differential(held: readonly LocalListEntry[], desired: readonly LocalListEntry[]): LocalListEntry[] {
  const before = new Map(held.map((e) => [e.idToken, e]));
  const out: LocalListEntry[] = [];
  for (const e of desired) {
    const old = before.get(e.idToken);
    if (!old || !sameEntry(old, e)) out.push(e);
    before.delete(e.idToken);
  }
  for (const gone of before.values()) out.push({ idToken: gone.idToken, type: gone.type });
  return out;
}
