import type { CommandKind, StationCommand } from '../../../domain/commands.js';
import { isSecretVariable } from '../../../domain/commands.js';
import { CertificateError } from '../../../domain/certificates/x509.js';
import type { DomainServices } from '../../../domain/services.js';
import { ChargingProfileError } from '../../../domain/smart-charging/profile.js';
import { RotationRefused } from '../../../domain/stations/password-rotation.js';
import { UpgradeRefused } from '../../../domain/stations/security-profile-upgrade.js';
import { TariffError } from '../../../domain/tariffs/cost.js';
import { ApiError } from '../../errors.js';

type Of<K extends CommandKind> = Extract<StationCommand, { kind: K }>;
type ViaService = { readonly [K in CommandKind]?: (s: DomainServices, stationId: string, c: Of<K>) => Promise<unknown> };

/**
 * Kinds a domain service wraps with bookkeeping of its own (stored profiles, certificate
 * inventory, device-model answers, monitors, display messages): sent through that service so the
 * platform's view stays true whichever way the command came. Every other kind goes to the journal as is.
 */
const viaService: ViaService = {
  setChargingProfile: (s, id, c) => s.smartCharging.setProfile(id, c.evseId, c.profile),
  clearChargingProfile: (s, id, { kind: _, ...criteria }) => s.smartCharging.clearProfiles(id, criteria),
  getCompositeSchedule: (s, id, c) => s.smartCharging.compositeSchedule(id, c.evseId, c.duration, c.chargingRateUnit),
  getChargingProfiles: (s, id, { kind: _, ...criteria }) => s.smartCharging.requestProfiles(id, criteria),
  installCertificate: (s, id, c) => s.certificates.installCertificate(id, c.certificateType, c.certificate),
  deleteCertificate: (s, id, c) => s.certificates.deleteCertificate(id, c.certificateHashData),
  getInstalledCertificateIds: (s, id, c) => s.certificates.getInstalledCertificateIds(id, c.certificateTypes),
  setNetworkProfile: (s, id, c) => s.certificates.setNetworkProfile(id, c.configurationSlot, c.connectionData),
  getVariables: (s, id, c) => s.deviceModel.getVariables(id, c.variables),
  setVariables: (s, id, c) => s.deviceModel.setVariables(id, c.variables),
  getConfiguration: (s, id, c) => s.deviceModel.getConfiguration(id, c.keys),
  changeConfiguration: (s, id, c) => s.deviceModel.changeConfiguration(id, c.key, c.value),
  setVariableMonitoring: (s, id, c) => s.monitoring.setVariableMonitoring(id, c.monitors),
  clearVariableMonitoring: (s, id, c) => s.monitoring.clearVariableMonitoring(id, c.ids),
  setDisplayMessage: (s, id, c) => s.displayMessages.set(id, c.message),
  clearDisplayMessage: (s, id, c) => s.displayMessages.clear(id, c.id),
  getLocalListVersion: (s, id) => s.localAuthList.stationVersion(id),
};

/**
 * Kinds the generic route refuses because sent raw they would desynchronise what the platform
 * keeps: the reservation row whose id the station quotes, the local list version the platform
 * diffs against, the station password it verifies logins with.
 */
const dedicated: { readonly [K in CommandKind]?: (c: Of<K>) => string | undefined } = {
  reserveNow: () => 'POST /stations/{stationId}/reservations',
  cancelReservation: () => 'DELETE /stations/{stationId}/reservations/{reservationId}',
  sendLocalList: () => 'POST /stations/{stationId}/local-list-sync',
  changeConfiguration: (c) => (isSecretVariable('OCPP16Configuration', c.key) ? 'POST /stations/{stationId}/password-rotation' : undefined),
  setVariables: (c) => (c.variables.some((v) => isSecretVariable(v.component, v.variable)) ? 'POST /stations/{stationId}/password-rotation' : undefined),
};

/** 422 with the route to use, when the generic route must not send this command. */
export function refuseDedicated(c: StationCommand): void {
  const use = (dedicated[c.kind] as ((c: StationCommand) => string | undefined) | undefined)?.(c);
  if (use) throw new ApiError(422, 'use_dedicated_route', `${c.kind} is sent through ${use}`, { route: use });
}

/** Domain refusals that mean "bad request", with the status and code the API answers them with. */
const refusals: ReadonlyArray<[new (...a: never[]) => Error, number, string]> = [
  [ChargingProfileError, 422, 'invalid_charging_profile'],
  [TariffError, 422, 'no_tariff'],
  [CertificateError, 422, 'invalid_certificate'],
  [RotationRefused, 409, 'rotation_refused'],
  [UpgradeRefused, 409, 'upgrade_refused'],
  [RangeError, 422, 'invalid_request'],
];

/** An error a service threw before sending anything, as the API's answer (others stay 500s). */
export function asApiError(err: unknown): unknown {
  const hit = refusals.find(([type]) => err instanceof type);
  return hit ? new ApiError(hit[1], hit[2], (err as Error).message) : err;
}

/**
 * Sends a command for the API: journalled at once, the station's answer recorded later. Resolves
 * with the id of the (first) journalled command, or null when the service had nothing to send.
 */
export async function dispatch(s: DomainServices, stationId: string, c: StationCommand): Promise<number | null> {
  const service = viaService[c.kind] as ((s: DomainServices, id: string, c: StationCommand) => Promise<unknown>) | undefined;
  if (!service) return (await s.commands.submit(stationId, c)).id;
  return launch(s, () => service(s, stationId, c));
}

/** Runs a service operation in the background (see CommandService.launch), mapping its refusals to 4xx. */
export async function launch(s: DomainServices, operation: () => Promise<unknown>): Promise<number | null> {
  try {
    return (await s.commands.launch(operation)).commandId ?? null;
  } catch (err) {
    throw asApiError(err);
  }
}
