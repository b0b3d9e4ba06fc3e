// The ceiling: a bare `ws` server that parses each frame and answers it, nothing more
// (no authentication, no validation, no persistence). Every OV2X figure is also given as a
// ratio to this server, measured in the same run on the same machine.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { gcAndMeasure, pausesStart, pausesStop, profileStart, profileStop, sendReady, serveControl } from './common.js';

const http = createServer((_req, res) => {
  res.writeHead(404).end();
});
const wss = new WebSocketServer({
  server: http,
  perMessageDeflate: false,
  clientTracking: false,
  maxPayload: 131072,
  handleProtocols: (offered) => (offered.has('ocpp1.6') ? 'ocpp1.6' : false),
});

let connections = 0;
let transactionIds = 0;
let meterValuesAnswered = 0;

function result(action: unknown): Record<string, unknown> {
  switch (action) {
    case 'MeterValues':
      meterValuesAnswered++;
      return {};
    case 'BootNotification':
      return { status: 'Accepted', currentTime: new Date().toISOString(), interval: 300 };
    case 'StartTransaction':
      return { transactionId: ++transactionIds, idTagInfo: { status: 'Accepted' } };
    case 'Heartbeat':
      return { currentTime: new Date().toISOString() };
    default:
      return {};
  }
}

wss.on('connection', (ws) => {
  connections++;
  ws.on('close', () => connections--);
  ws.on('error', () => undefined);
  ws.on('message', (data) => {
    let msg: unknown;
    try {
      msg = JSON.parse((data as Buffer).toString('utf8'));
    } catch {
      return;
    }
    if (!Array.isArray(msg) || msg[0] !== 2) return;
    ws.send(JSON.stringify([3, msg[1], result(msg[2])]));
  });
});

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  wss.close();
  http.closeAllConnections();
  http.close();
  setImmediate(() => process.exit(0));
}

http.listen(0, '127.0.0.1', () => {
  serveControl(
    {
      measure: async () => ({ ...(await gcAndMeasure()), connections }),
      // Nothing is persisted here; report what was answered so the table can say "n/a".
      count: () => ({ meterValues: null, answered: meterValuesAnswered }),
      'pauses-start': pausesStart,
      'pauses-stop': pausesStop,
      'profile-start': profileStart,
      'profile-stop': profileStop,
      stop,
    },
    () => void stop(),
  );
  sendReady({ port: (http.address() as AddressInfo).port, path: '/ocpp', pid: process.pid });
});
