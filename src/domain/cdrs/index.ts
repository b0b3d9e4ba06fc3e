export { CdrError, CdrService } from './cdr-service.js';
export { cdrsCsv, csvField } from './csv.js';
export { ocpiCdr, type OcpiCdr } from './view.js';
export { tokenPseudonymizer } from './pseudonym.js';
