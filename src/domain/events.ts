import type { Authorization, BootInfo, MeterReading, StatusChange } from './model.js';
import type { Severity } from '../store/schema.js';

/** Everything the domain announces; SSE, the IDS and cluster fan-out subscribe here. */
export type DomainEvent =
  | { type: 'station.connected'; stationId: string; protocol: string; remoteAddress: string; securityProfile: number; clientCertificate?: { subject: string; serialNumber: string; notAfter: string } }
  | { type: 'station.disconnected'; stationId: string; code: number }
  /** `previous`: the identifying boot information stored before this boot (none for a first boot) */
  | { type: 'station.booted'; stationId: string; boot: BootInfo; registrationStatus: string; previous?: { vendor: string; model: string; serialNumber: string } }
  /** an operator took the station out of service: whoever holds its socket closes it */
  | { type: 'station.decommissioned'; stationId: string }
  | ({ type: 'connector.status' } & StatusChange)
  /** `token`: the token's pseudonym (`tok_…`), what every listener sees; `idToken` only with tokens:reveal */
  | { type: 'token.authorized'; stationId: string; idToken: string; token?: string; authorization: Authorization }
  | { type: 'transaction.started'; stationId: string; transactionId: number; transactionRef: string; evseId: number; connectorId: number; meterStartWh?: number }
  | { type: 'transaction.ended'; stationId: string; transactionId: number; transactionRef: string; energyWh?: number; reason?: string }
  | { type: 'meter.values'; stationId: string; transactionId?: number; evseId: number; readings: MeterReading[] }
  | { type: 'command.answered'; stationId: string; commandId: number; kind: string; status: string }
  | { type: 'command.progress'; stationId: string; commandId: number; kind: string; status: string }
  | { type: 'security.event'; stationId?: string; eventType: string; severity: Severity; sourceIp?: string; details: Record<string, unknown> };

export type Listener = (e: DomainEvent) => void;

/** In-process fan-out of domain events. A listener that throws cannot break the emitter. */
export class DomainEvents {
  private listeners: Listener[] = [];

  subscribe(listener: Listener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  get hasListeners(): boolean {
    return this.listeners.length > 0;
  }

  emit(e: DomainEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // a faulty subscriber must not fail the OCPP exchange that produced the event
      }
    }
  }
}
