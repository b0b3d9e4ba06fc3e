import { useState } from 'react';
import { ApiError, post, qs, type Page } from '../../api/client';
import { useLiveEvents } from '../../api/events';
import { useApi } from '../../api/use-api';
import { useSession } from '../../auth/session';
import { Confirm } from '../../components/Confirm';
import { Badge, ErrorBox, Field, fmtTime } from '../../components/ui';
import type { Session } from '../sessions/types';
import { commandActions, type CommandAction } from './commands';

interface Sent { commandId: number | null; label: string; status: string }
interface Pending { action: string; body: Record<string, unknown> }

/** A refusal by the switching limits (AC2) says the limit, its window and when to try again. */
function limitText(e: unknown): string | undefined {
  if (!(e instanceof ApiError) || e.code !== 'switching_limit') return undefined;
  const d = (e.details ?? {}) as { limit?: number; windowS?: number; retryAfterS?: number; scope?: string };
  const retry = d.retryAfterS ?? e.retryAfterS;
  return `Switching limit reached: at most ${d.limit ?? '?'} switching commands per ${d.windowS ?? '?'} s for your role${retry ? `; try again in ${retry} s` : ''}.`;
}

/**
 * The remote commands the user's role permits on this station. Switching ones (start, stop,
 * reset, availability, unlock) are confirmed first; the station's answer arrives live.
 */
export function StationCommands({ stationId, protocol }: { stationId: string; protocol: string | null }) {
  const { can } = useSession();
  const [sent, setSent] = useState<Sent[]>([]);
  const [error, setError] = useState<unknown>();
  const [confirm, setConfirm] = useState<Pending>();
  const active = useApi<Page<Session>>(can('transactions:read') ? `/transactions${qs({ stationId, state: 'active', limit: 20 })}` : null);
  useLiveEvents(['transaction.started', 'transaction.ended'], (e) => { if ((e.data as { stationId?: string }).stationId === stationId) active.reloadSoon(); });
  useLiveEvents(['command.answered', 'command.progress'], (e) => {
    const d = e.data as { commandId: number; status: string };
    setSent((list) => list.map((s) => (s.commandId === d.commandId ? { ...s, status: d.status } : s)));
  });
  const actions = commandActions.filter((a) => can(a.permission) && (!a.protocol || !protocol || a.protocol === protocol));
  const send = async (label: string, body: Record<string, unknown>) => {
    setError(undefined);
    try {
      const r = await post<{ commandId: number | null; outcome?: string }>(`/stations/${encodeURIComponent(stationId)}/commands`, body);
      setSent((list) => [{ commandId: r.commandId, label, status: r.commandId === null ? (r.outcome ?? 'nothing sent') : 'Pending' }, ...list].slice(0, 10));
    } catch (e) {
      setError(e);
    }
  };
  const request = (label: string, switching: boolean, body: Record<string, unknown>) => {
    if (switching) setConfirm({ action: label, body });
    else void send(label, body);
  };
  if (!actions.length) return null;
  const limit = limitText(error);
  return (
    <section aria-labelledby="cmd-h">
      <h2 id="cmd-h">Remote commands</h2>
      {limit ? <p className="error" role="alert" data-testid="switching-limit">{limit}</p> : <ErrorBox error={error} />}
      {can('stations:switch') && active.data && (
        <div className="table-wrap">
          <table data-testid="active-sessions">
            <caption className="muted">Active sessions</caption>
            <thead><tr><th scope="col">Session</th><th scope="col">EVSE</th><th scope="col">Started</th><th scope="col"><span className="sr-only">Action</span></th></tr></thead>
            <tbody>
              {active.data.items.map((s) => (
                <tr key={s.id} data-session={s.id}>
                  <td>#{s.id} ({s.transactionRef})</td><td>{s.evseId ?? '—'}</td><td>{fmtTime(s.startedAt)}</td>
                  <td><button type="button" className="danger" onClick={() => request(`Stop session #${s.id}`, true, { kind: 'remoteStop', transactionRef: s.transactionRef })}>Stop charging</button></td>
                </tr>
              ))}
              {!active.data.items.length && <tr><td colSpan={4} className="muted">No active session.</td></tr>}
            </tbody>
          </table>
        </div>
      )}
      <div className="commands">
        {actions.map((a) => <CommandForm key={a.id} action={a} onSend={(body) => request(a.label, a.switching, body)} />)}
      </div>
      {sent.length > 0 && (
        <ul className="sent" aria-live="polite" data-testid="sent-commands">
          {sent.map((s, i) => <li key={`${s.commandId}-${i}`}>{s.label}{s.commandId !== null && ` (command #${s.commandId})`}: <Badge value={s.status} /></li>)}
        </ul>
      )}
      {confirm && (
        <Confirm title={`${confirm.action}?`} confirm={confirm.action} danger
          onCancel={() => setConfirm(undefined)}
          onConfirm={() => { const c = confirm; setConfirm(undefined); void send(c.action, c.body); }}>
          <p>This switches station <strong>{stationId}</strong> and counts against your role&apos;s switching limit.</p>
        </Confirm>
      )}
    </section>
  );
}

function CommandForm({ action, onSend }: { action: CommandAction; onSend(body: Record<string, unknown>): void }) {
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(action.fields.map((f) => [f.name, f.initial ?? ''])));
  const set = (name: string, value: string) => setValues((v) => ({ ...v, [name]: value }));
  return (
    <form className="form inline command" aria-label={action.label} onSubmit={(e) => { e.preventDefault(); onSend(action.body(values)); }}>
      {action.fields.map((f) => (
        <Field key={f.name} label={f.label}>
          {f.type === 'select'
            ? <select name={f.name} value={values[f.name]} onChange={(e) => set(f.name, e.target.value)}>{f.options?.map((o) => <option key={o}>{o}</option>)}</select>
            : <input name={f.name} type={f.type === 'number' ? 'number' : 'text'} min={f.type === 'number' ? 0 : undefined} required={f.required} value={values[f.name]} onChange={(e) => set(f.name, e.target.value)} />}
        </Field>
      ))}
      <button type="submit" className={action.switching ? 'primary' : undefined}>{action.label}</button>
    </form>
  );
}
