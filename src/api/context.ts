import type { Config } from '../config/config.js';
import type { DomainServices } from '../domain/services.js';
import type { Logger } from '../log/logger.js';

/** What every route plugin of the API is given. */
export interface ApiContext {
  services: DomainServices;
  config: Config;
  log: Logger;
}
