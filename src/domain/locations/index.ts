export { LocationError, LocationService, type LocationErrorKind, type LocationSearch, type Scope } from './location-service.js';
export { evseDetails, type ConnectorDetail, type EvseDetail } from './views.js';
export { evseStatus, evseStatusAt, ocpiStatusOf, ocppToOcpiStatus } from './status.js';
export { toOcpiLocation, type OcpiParty } from './ocpi.js';
