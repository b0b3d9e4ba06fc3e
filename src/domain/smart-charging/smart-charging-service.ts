import type { SmartChargingRepo, StationRepo, TransactionRepo } from '../../store/index.js';
import type { ChargingLimitRow, ChargingProfileRow, EvChargingNeedsRow, EvChargingScheduleRow, StationCommandRow } from '../../store/schema.js';
import type { CommandRecord, CommandService } from '../journal/command-service.js';
import {
  ChargingProfileError, matchesCriteria, validateProfile,
  type ChargingLimitSource, type ChargingProfile, type ChargingRateUnit, type ChargingSchedule, type ProfileCriteria,
} from './profile.js';

export interface StoredProfile {
  evseId: number;
  status: ChargingProfileRow['status'];
  source: string;
  profile: ChargingProfile;
  commandId: number | null;
  updatedAt: Date;
}

export interface EvChargingNeeds {
  evseId: number;
  requestedEnergyTransfer: string;
  energyAmountWh?: number;
  departureTime?: Date;
  maxScheduleTuples?: number;
  ac?: Record<string, unknown>;
  dc?: Record<string, unknown>;
}

type GetCriteria = Omit<ProfileCriteria, 'profileId'> & { profileIds?: number[]; sources?: ChargingLimitSource[] };

const stored = (r: ChargingProfileRow): StoredProfile => ({
  evseId: r.evseId, status: r.status, source: r.limitSource, profile: r.profile as unknown as ChargingProfile, commandId: r.commandId, updatedAt: r.updatedAt,
});

/**
 * Smart charging of both OCPP versions: validates profiles before they are sent, keeps the
 * profiles per station/EVSE as the station holds them, and records what stations report
 * (external limits, the EV's needs and schedule, profile reports).
 */
export class SmartChargingService {
  constructor(
    private readonly repo: SmartChargingRepo,
    private readonly stations: StationRepo,
    private readonly transactions: TransactionRepo,
    private readonly commands: CommandService,
  ) {}

  /**
   * Validates and sends a profile; the journal record says what the station answered. Accepted
   * makes it active (replacing the same id), a refusal stores it as rejected.
   * @throws ChargingProfileError when the profile breaks a rule; nothing is sent then.
   */
  async setProfile(stationId: string, evseId: number, profile: ChargingProfile): Promise<CommandRecord> {
    const protocol = await this.protocolOf(stationId);
    let transactionActive: boolean | undefined;
    if (profile.purpose === 'Tx' && typeof profile.transactionRef === 'string') {
      const tx = await this.transactions.findByRef(stationId, profile.transactionRef);
      transactionActive = tx?.state === 'active' && tx.evseId === evseId;
    }
    const active = (await this.repo.listProfiles(stationId, { status: 'active' })).map((r) => ({ evseId: r.evseId, profile: r.profile as unknown as ChargingProfile }));
    validateProfile(profile, { protocol, evseId, active, transactionActive });
    const rec = await this.commands.send(stationId, { kind: 'setChargingProfile', evseId, profile });
    // Failed = no answer (offline, timeout): the station's state is unknown, so nothing is stored
    if (rec.status !== 'Failed') {
      await this.repo.saveProfile({
        stationId, evseId, profileId: profile.id, stackLevel: profile.stackLevel, purpose: profile.purpose,
        status: rec.status === 'Accepted' ? 'active' : 'rejected', transactionRef: profile.transactionRef ?? null,
        profile: profile as unknown as Record<string, unknown>, commandId: rec.id,
      });
    }
    return rec;
  }

  /** Sends ClearChargingProfile; on Accepted the matching stored profiles go too. */
  async clearProfiles(stationId: string, criteria: ProfileCriteria = {}): Promise<CommandRecord> {
    await this.protocolOf(stationId);
    const rec = await this.commands.send(stationId, { kind: 'clearChargingProfile', ...criteria });
    if (rec.status === 'Accepted') {
      const rows = await this.repo.listProfiles(stationId);
      // profiles an external system installed (reported with another source) stay: the CSMS cannot clear them
      const gone = rows.filter((r) => (r.status !== 'reported' || r.limitSource === 'CSO') && matchesCriteria(criteria, r.evseId, r.profile as unknown as ChargingProfile));
      await this.repo.deleteProfiles(gone.map((r) => r.id));
    }
    return rec;
  }

  /** The station's composite schedule for an EVSE over `duration` seconds (in the record's response). */
  async compositeSchedule(stationId: string, evseId: number, duration: number, chargingRateUnit?: ChargingRateUnit): Promise<CommandRecord> {
    await this.protocolOf(stationId);
    if (!Number.isInteger(evseId) || evseId < 0) throw new ChargingProfileError('evseId must be an integer >= 0');
    if (!Number.isInteger(duration) || duration <= 0) throw new ChargingProfileError('duration must be whole seconds > 0');
    return this.commands.send(stationId, { kind: 'getCompositeSchedule', evseId, duration, ...(chargingRateUnit && { chargingRateUnit }) });
  }

  /** 2.0.1 GetChargingProfiles: the station reports in ReportChargingProfiles parts, kept as progress and as reported profiles. */
  async requestProfiles(stationId: string, criteria: GetCriteria = {}): Promise<CommandRecord> {
    if ((await this.protocolOf(stationId)) !== 'ocpp2.0.1') throw new ChargingProfileError('GetChargingProfiles exists only in OCPP 2.0.1');
    const rec = await this.commands.send(stationId, { kind: 'getChargingProfiles', ...criteria });
    // no report will follow: nothing matching is installed any more
    if (rec.status === 'NoProfiles') await this.dropStaleReports(stationId, rec);
    return rec;
  }

  /** One ReportChargingProfiles part: stored first, so whoever sees the progress finds the profiles. */
  async reported(stationId: string, r: { requestId: number; evseId: number; source: ChargingLimitSource; profiles: ChargingProfile[]; tbc: boolean }): Promise<void> {
    const cmd = await this.commands.find(stationId, ['getChargingProfiles'], r.requestId);
    if (cmd) await this.dropStaleReports(stationId, cmd);
    for (const p of r.profiles) {
      await this.repo.saveProfile({
        stationId, evseId: r.evseId, profileId: p.id, stackLevel: p.stackLevel, purpose: p.purpose, status: 'reported', limitSource: r.source,
        transactionRef: p.transactionRef ?? null, profile: p as unknown as Record<string, unknown>, commandId: cmd?.id ?? null,
      });
    }
    await this.commands.progress(stationId, ['getChargingProfiles'], r.requestId, r.tbc ? 'Reporting' : 'Completed', {
      evseId: r.evseId, source: r.source, profileIds: r.profiles.map((p) => p.id),
    });
  }

  async profiles(stationId: string, filter: { status?: StoredProfile['status']; evseId?: number } = {}): Promise<StoredProfile[]> {
    return (await this.repo.listProfiles(stationId, filter)).map(stored);
  }

  /** NotifyChargingLimit: an external system (EMS, DSO, ...) limits the station or an EVSE. */
  async limitNotified(stationId: string, l: { evseId?: number; source: ChargingLimitSource; isGridCritical?: boolean; schedules: ChargingSchedule[] }): Promise<void> {
    await this.repo.upsertLimit({ stationId, evseId: l.evseId ?? 0, source: l.source, isGridCritical: l.isGridCritical ?? null, schedules: l.schedules });
  }

  /** ClearedChargingLimit: the source's limit is gone (on one EVSE, or everywhere when none is named). */
  async limitCleared(stationId: string, source: ChargingLimitSource, evseId?: number): Promise<void> {
    await this.repo.clearLimit(stationId, source, evseId);
  }

  limits(stationId: string): Promise<ChargingLimitRow[]> {
    return this.repo.listLimits(stationId);
  }

  async evNeeds(stationId: string, n: EvChargingNeeds): Promise<void> {
    await this.repo.upsertNeeds({
      stationId, evseId: n.evseId, requestedEnergyTransfer: n.requestedEnergyTransfer, energyAmountWh: n.energyAmountWh ?? null,
      departureTime: n.departureTime ?? null, maxScheduleTuples: n.maxScheduleTuples ?? null, acParameters: n.ac ?? null, dcParameters: n.dc ?? null,
    });
  }

  needs(stationId: string): Promise<EvChargingNeedsRow[]> {
    return this.repo.listNeeds(stationId);
  }

  async evSchedule(stationId: string, evseId: number, timeBase: Date, schedule: ChargingSchedule): Promise<void> {
    await this.repo.upsertEvSchedule(stationId, evseId, timeBase, schedule as unknown as Record<string, unknown>);
  }

  evSchedules(stationId: string): Promise<EvChargingScheduleRow[]> {
    return this.repo.listEvSchedules(stationId);
  }

  /**
   * A report answers the request's criteria completely, so reported profiles matching them
   * that are older than the request are no longer on the station.
   */
  private async dropStaleReports(stationId: string, cmd: StationCommandRow): Promise<void> {
    const c = cmd.command as GetCriteria;
    const stale = (await this.repo.listProfiles(stationId, { status: 'reported' })).filter((r) => r.updatedAt < cmd.createdAt
      && (c.evseId === undefined || c.evseId === r.evseId) && (c.purpose === undefined || c.purpose === r.purpose)
      && (c.stackLevel === undefined || c.stackLevel === r.stackLevel) && (!c.profileIds?.length || c.profileIds.includes(r.profileId))
      && (!c.sources?.length || c.sources.includes(r.limitSource as ChargingLimitSource)));
    await this.repo.deleteProfiles(stale.map((r) => r.id));
  }

  private async protocolOf(stationId: string): Promise<'ocpp1.6' | 'ocpp2.0.1'> {
    const station = await this.stations.get(stationId);
    if (!station) throw new ChargingProfileError(`unknown station ${JSON.stringify(stationId)}`);
    if (station.protocol !== 'ocpp1.6' && station.protocol !== 'ocpp2.0.1') throw new ChargingProfileError(`station ${stationId} has not booted yet: its OCPP version is unknown`);
    return station.protocol;
  }
}
