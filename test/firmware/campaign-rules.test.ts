// The campaign's decision tables without a platform: when failures halt it, and what a
// station's update command in the journal means for the station.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exceedsThreshold, stationOutcome } from '../../src/domain/firmware/campaign-service.js';
import type { CommandRecord } from '../../src/domain/journal/command-service.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const cmd = (status: string, updates: string[] = [], failure: string | null = null): CommandRecord => ({
  id: 1, stationId: 'S', kind: 'updateFirmware', action: 'UpdateFirmware', requestId: 1, command: {}, status, failure, response: null, progress: null,
  createdAt: t0, answeredAt: status === 'Pending' ? null : at(1), updatedAt: t0,
  updates: updates.map((u, i) => ({ id: i + 1, commandId: 1, status: u, details: {}, at: at(i + 2) })),
});

describe('firmware campaign rules', () => {
  it('halts above, not at, the threshold', () => {
    assert.equal(exceedsThreshold({ failureThreshold: 1, thresholdKind: 'count' }, 1, 10), false);
    assert.equal(exceedsThreshold({ failureThreshold: 1, thresholdKind: 'count' }, 2, 10), true);
    assert.equal(exceedsThreshold({ failureThreshold: 10, thresholdKind: 'percent' }, 1, 10), false);
    assert.equal(exceedsThreshold({ failureThreshold: 10, thresholdKind: 'percent' }, 2, 10), true);
    assert.equal(exceedsThreshold({ failureThreshold: 0, thresholdKind: 'percent' }, 1, 1000), true);
  });

  it('reads the outcome of a station from its command', () => {
    assert.deepEqual(stationOutcome(cmd('Pending')), { status: 'Sent', at: t0 });
    assert.deepEqual(stationOutcome(cmd('Failed', [], 'Offline: station not connected')), { status: 'Offline', final: 'failed', at: at(1) });
    assert.equal(stationOutcome(cmd('InvalidCertificate')).final, 'failed');
    assert.deepEqual(stationOutcome(cmd('Accepted', ['Downloading', 'Downloaded'])), { status: 'Downloaded', at: at(3) });
    assert.deepEqual(stationOutcome(cmd('Accepted', ['Downloading', 'Downloaded', 'Installing', 'Installed', 'Idle'])), { status: 'Installed', final: 'succeeded', at: at(5) });
    assert.equal(stationOutcome(cmd('Accepted', ['Downloading', 'InvalidSignature'])).final, 'failed');
    assert.equal(stationOutcome(cmd('AcceptedCanceled', ['Downloading', 'InstallationFailed'])).final, 'failed');
  });
});
