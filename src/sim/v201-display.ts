import type { Actions as V201, MessageInfoType } from '../ocpp/types/generated/v201.js';
import type { CommandTable } from './commands.js';
import type { SimulatedStation } from './station.js';

const displays = new WeakMap<SimulatedStation, Map<number, MessageInfoType>>();
function of(st: SimulatedStation): Map<number, MessageInfoType> {
  let m = displays.get(st);
  if (!m) displays.set(st, (m = new Map()));
  return m;
}

/** NotifyDisplayMessages parts carry at most this many messages. */
const PER_PART = 4;

/** What the simulated display cannot do, as the SetDisplayMessage status that says so. */
function unsupported(m: MessageInfoType, st: SimulatedStation) {
  if (m.message.format === 'HTML') return 'NotSupportedMessageFormat' as const;
  if (m.priority === 'AlwaysFront') return 'NotSupportedPriority' as const;
  if (m.state === 'Faulted') return 'NotSupportedState' as const;
  if (m.transactionId !== undefined && !st.sessions().some((s) => s.id === m.transactionId && !s.ending)) return 'UnknownTransaction' as const;
  return undefined;
}

/** Messages still shown: one whose endDateTime has passed is removed. */
function current(st: SimulatedStation): MessageInfoType[] {
  const all = of(st);
  const t = Date.now();
  for (const [id, m] of all) if (m.endDateTime !== undefined && Date.parse(m.endDateTime) <= t) all.delete(id);
  return [...all.values()];
}

/** Block O answers of a 2.0.1 station with one display. */
export const displayCommands: CommandTable<V201> = {
  SetDisplayMessage: {
    answer(req, st) {
      const no = unsupported(req.message, st);
      if (no) return { status: no };
      // same id: the new message replaces the old one
      of(st).set(req.message.id, req.message);
      return { status: 'Accepted' };
    },
    refuse: () => ({ status: 'Rejected' }),
  },
  GetDisplayMessages: {
    answer(req, st) {
      const found = current(st).filter((m) => (!req.id || req.id.includes(m.id)) && (req.priority === undefined || m.priority === req.priority)
        && (req.state === undefined || m.state === req.state));
      if (found.length === 0) return { status: 'Unknown' };
      st.after(async () => {
        for (let i = 0; i < found.length; i += PER_PART) {
          const messageInfo = found.slice(i, i + PER_PART) as [MessageInfoType, ...MessageInfoType[]];
          await st.call('NotifyDisplayMessages', { requestId: req.requestId, tbc: i + PER_PART < found.length, messageInfo });
        }
      });
      return { status: 'Accepted' };
    },
    refuse: () => ({ status: 'Unknown' }),
  },
  ClearDisplayMessage: {
    answer: (req, st) => ({ status: of(st).delete(req.id) ? 'Accepted' : 'Unknown' }),
    refuse: () => ({ status: 'Unknown' }),
  },
};
