import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Config } from '../../src/config/config.js';
import type { StationCommand } from '../../src/domain/commands.js';
import type { CommandRecord } from '../../src/domain/journal/command-service.js';
import type { IdTokenInput } from '../../src/store/index.js';
import { startTestPlatform, type TestPlatform } from './platform.js';
import { RawClient } from './raw-client.js';

export type Obj = Record<string, unknown>;
export type Version = 'ocpp1.6' | 'ocpp2.0.1';

/** An ISO timestamp `offsetS` seconds from now. */
export const ts = (offsetS = 0): string => new Date(Date.now() + offsetS * 1000).toISOString();

/**
 * The station side of an OCTT test case: the test plays the test tool, sending exactly the
 * station messages the case prescribes over a real socket and checking the CSMS's answers.
 */
export class OcttStation {
  private n = 0;

  private constructor(readonly p: TestPlatform, readonly id: string, readonly version: Version, readonly password: string, readonly client: RawClient) {}

  /** Registers the station (unless it exists) and connects it with its password. */
  static async connect(p: TestPlatform, id: string, version: Version, opts: { registrationStatus?: 'Accepted' | 'Pending' | 'Rejected'; password?: string } = {}): Promise<OcttStation> {
    const password = opts.password ?? (await p.addStation(id, { registrationStatus: opts.registrationStatus }));
    const client = await RawClient.connect(`${p.ocppUrl}/${id}`, { protocols: [version], user: id, password });
    return new OcttStation(p, id, version, password, client);
  }

  /** A new socket for the same station, as after a reboot. */
  async reconnect(): Promise<OcttStation> {
    this.client.close();
    await this.client.closed;
    return OcttStation.connect(this.p, this.id, this.version, { password: this.password });
  }

  /** Sends a CALL; returns the CSMS's frame (CALLRESULT or CALLERROR). */
  async send(action: string, payload: unknown): Promise<unknown[]> {
    return this.client.call(`${this.id}-${++this.n}`, action, payload);
  }

  /** Sends a CALL and insists on a CALLRESULT; returns its payload. */
  async call(action: string, payload: unknown): Promise<Obj> {
    const [type, , res] = await this.send(action, payload);
    assert.equal(type, 3, `${action} answered ${JSON.stringify(res)}`);
    return res as Obj;
  }

  /** BootNotification as the version spells it; returns the response. */
  boot(reason = 'PowerUp'): Promise<Obj> {
    return this.version === 'ocpp1.6'
      ? this.call('BootNotification', { chargePointVendor: 'OCTT', chargePointModel: 'Test' })
      : this.call('BootNotification', { reason, chargingStation: { vendorName: 'OCTT', model: 'Test' } });
  }

  /** Runs a command through the journal while answering its CALL as the station does. */
  async command(command: StationCommand, answer: Obj | ((payload: Obj) => Obj)): Promise<{ action: string; payload: Obj; record: CommandRecord }> {
    const sending = this.p.services.commands.send(this.id, command);
    const frame = (await this.client.next()) as [number, string, string, Obj];
    assert.equal(frame[0], 2, `expected a CALL, got ${JSON.stringify(frame)}`);
    this.client.send(JSON.stringify([3, frame[1], typeof answer === 'function' ? answer(frame[3]) : answer]));
    return { action: frame[2], payload: frame[3], record: await sending };
  }

  close(): void {
    this.client.close();
  }
}

/**
 * A platform for the enclosing `describe`, as the OCTT prepares the CSMS: started before the
 * first test with the given tokens, stopped with every station it connected after the last.
 * `onStart` hands the platform to the suite (and may prepare more, e.g. vendor handlers).
 */
export function octtSuite(onStart: (p: TestPlatform) => unknown, tokens: IdTokenInput[] = [], config: Partial<Config> = {}) {
  let platform: TestPlatform | undefined;
  const stations: OcttStation[] = [];
  before(async () => {
    platform = await startTestPlatform(config);
    for (const t of tokens) await platform.repos.tokens.upsert(t);
    await onStart(platform);
  });
  after(async () => {
    for (const s of stations) s.close();
    await platform?.stop();
  });
  const connect = async (id: string, version: Version, opts: Parameters<typeof OcttStation.connect>[3] = {}): Promise<OcttStation> => {
    assert.ok(platform, 'the suite platform has not started');
    const st = await OcttStation.connect(platform, id, version, opts);
    stations.push(st);
    return st;
  };
  return {
    connect,
    /** the same station on a new socket, as after a reboot */
    async reconnect(st: OcttStation): Promise<OcttStation> {
      const again = await st.reconnect();
      stations.push(again);
      return again;
    },
    /** connected and booted (Accepted), with each of `evses` (one connector each; 1.6: connector ids) reported Available */
    async booted(id: string, version: Version = 'ocpp2.0.1', evses: readonly number[] = [1]): Promise<OcttStation> {
      const st = await connect(id, version);
      assert.equal((await st.boot()).status, 'Accepted');
      for (const n of evses) {
        await st.call('StatusNotification', version === 'ocpp1.6'
          ? { connectorId: n, status: 'Available', errorCode: 'NoError', timestamp: ts() }
          : { timestamp: ts(), connectorStatus: 'Available', evseId: n, connectorId: 1 });
      }
      return st;
    },
  };
}

/** The 2.0.1 TransactionEvents of one transaction, numbered from seqNo 0. */
export function transactionEvents(st: OcttStation, transactionId: string) {
  let seqNo = 0;
  return (eventType: 'Started' | 'Updated' | 'Ended', triggerReason: string, info: Obj = {}, extra: Obj = {}): Promise<Obj> =>
    st.call('TransactionEvent', { eventType, timestamp: ts(), triggerReason, seqNo: seqNo++, transactionInfo: { transactionId, ...info }, ...extra });
}
