import type { Actions } from '../types/generated/v16.js';

/** Request and response payload of an action, for handler signatures. */
export type Req<A extends keyof Actions> = Actions[A]['request'];
export type Res<A extends keyof Actions> = Actions[A]['response'];
