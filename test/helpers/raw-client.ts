// the raw client lives in the simulator (the attack library uses it too)
export { RawClient, type RawConnectOptions } from '../../src/sim/raw-client.js';
