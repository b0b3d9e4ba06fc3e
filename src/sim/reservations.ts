import type { ConnectorState, SimReservation } from './dialect.js';
import type { SimulatedStation } from './station.js';
import type { ConnectorStatus } from './types.js';

/** How a dialect tells the CSMS a connector's new status. */
type Announce = (st: SimulatedStation, connector: number, s: ConnectorStatus) => Promise<void>;

const idle = (c: ConnectorState): ConnectorStatus => (c.operative ? 'Available' : 'Unavailable');

/** Why a connector cannot be reserved now, as a ReserveNow status (both versions spell them alike); undefined = it can. */
export function unreservable(c: ConnectorState, reservationId: number): 'Faulted' | 'Unavailable' | 'Occupied' | undefined {
  if (c.status === 'Faulted') return 'Faulted';
  if (!c.operative) return 'Unavailable';
  if (c.session || (c.reservation && c.reservation.id !== reservationId)) return 'Occupied';
  return undefined;
}

/**
 * Holds connector `n` for `r` and announces it; a reservation with a known id moves here from
 * wherever it was. On expiry `expired` runs (default: the connector is announced idle again).
 */
export function holdReservation(st: SimulatedStation, n: number, r: SimReservation, announce: Announce, expired?: () => Promise<unknown>): void {
  const previous = st.reservationConnector(r.id);
  if (previous && previous !== n) st.unreserve(previous);
  st.reserve(n, r, expired ?? (() => announce(st, n, idle(st.port(n)))));
  st.after(async () => {
    if (previous && previous !== n) await announce(st, previous, idle(st.port(previous)));
    await announce(st, n, 'Reserved');
  });
}

/** Cancels a reservation and announces its connector idle; false when the station holds no such reservation. */
export function cancelReservation(st: SimulatedStation, reservationId: number, announce: Announce): boolean {
  const n = st.reservationConnector(reservationId);
  if (n === 0) return false;
  st.unreserve(n);
  st.after(() => announce(st, n, idle(st.port(n))));
  return true;
}
