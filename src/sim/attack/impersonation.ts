import { randomBytes } from 'node:crypto';
import { pause } from '../pause.js';
import type { RawClient } from '../raw-client.js';
import { answered, boot, bootedAs, checkBounds, connectAs, nonce, tryUpgrade } from './common.js';
import type { Technique } from './types.js';

/** Impersonation (T4): someone else's identity, by guessing its secret or by holding a copy of it. */

export const impersonationTechniques: Technique[] = [
  {
    name: 'password-burst', detector: 'failedAuth', needs: { stations: 1 },
    // guesses need only the identity; the real password is never used
    async run(ctx) {
      const id = ctx.stations[0]!.id;
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        checkBounds(ctx);
        statuses.push(await tryUpgrade(ctx, id, { password: randomBytes(12).toString('base64url') }));
      }
      answered(statuses);
    },
  },
  {
    name: 'identity-two-addresses', detector: 'addressFlapping', needs: { stations: 1, alt: true },
    // two devices with one stolen identity take the connection from each other, each from its own address
    async run(ctx) {
      const st = ctx.stations[0]!;
      let last: RawClient | undefined;
      for (let i = 0; i < 5; i++) {
        const c = await connectAs(ctx, st, { from: i % 2 ? ctx.alt : ctx.source });
        await pause(100, ctx.signal);
        await last?.end();
        last = c;
      }
      await last?.end();
    },
  },
  {
    name: 'boot-identity-change', detector: 'bootIdentityChange', needs: { stations: 1 },
    // the same identity booting as another make of charger: a cloned identity on foreign hardware
    async run(ctx) {
      const st = ctx.stations[0]!;
      const a = await bootedAs(ctx, st, '1.6', { who: { vendor: 'OV2X', model: 'SimCharger', serial: `SN-${st.id}`.slice(0, 25) } });
      await a.end();
      const b = await connectAs(ctx, st);
      await boot(ctx, b, '1.6', { vendor: 'EvilCorp', model: 'Clone', serial: `SN-${nonce(4)}` });
      await b.end();
    },
  },
  {
    name: 'network-change', detector: 'networkChange', needs: { stations: 1, alt: true },
    // a station at home on one network, then the identity shows up from another one
    async run(ctx) {
      const st = ctx.stations[0]!;
      for (let i = 0; i < 2; i++) await (await connectAs(ctx, st)).end();
      await (await connectAs(ctx, st, { from: ctx.alt })).end();
    },
  },
];
