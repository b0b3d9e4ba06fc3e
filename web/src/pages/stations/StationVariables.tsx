import { useState } from 'react';
import { useLiveEvents } from '../../api/events';
import { useApi } from '../../api/use-api';
import { ErrorBox, Field, fmtTime } from '../../components/ui';

interface Variable {
  component: string; componentInstance: string; evseId: number | null; connectorId: number | null;
  variable: string; variableInstance: string; attributeType: string; value: string | null; mutability: string | null; status: string | null; reportedAt: string;
}

const where = (v: Variable): string => [v.evseId !== null && `EVSE ${v.evseId}`, v.connectorId !== null && `connector ${v.connectorId}`].filter(Boolean).join(', ') || 'station';
const name = (base: string, instance: string): string => (instance ? `${base} (${instance})` : base);

/** The configuration keys (1.6) or device-model variables (2.0.1) the station last reported; refreshed by the read commands above. */
export function StationVariables({ stationId }: { stationId: string }) {
  const [filter, setFilter] = useState('');
  const list = useApi<{ items: Variable[] }>(`/stations/${encodeURIComponent(stationId)}/variables`);
  useLiveEvents(['command.answered', 'command.progress'], (e) => {
    const d = e.data as { stationId?: string; kind?: string };
    if (d.stationId === stationId && ['getConfiguration', 'getBaseReport', 'getVariables', 'setVariables', 'changeConfiguration'].includes(d.kind ?? '')) list.reloadSoon();
  });
  const f = filter.trim().toLowerCase();
  const shown = (list.data?.items ?? []).filter((v) => !f || `${v.component} ${v.variable}`.toLowerCase().includes(f));
  return (
    <section aria-labelledby="vars-h">
      <h2 id="vars-h">Configuration and device-model variables</h2>
      <div className="filters"><Field label="Filter"><input type="search" name="variableFilter" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="component or variable" /></Field></div>
      <ErrorBox error={list.error} />
      <div className="table-wrap scroll">
        <table data-testid="variables">
          <thead><tr><th scope="col">Component</th><th scope="col">Where</th><th scope="col">Variable</th><th scope="col">Attribute</th><th scope="col">Value</th><th scope="col">Mutability</th><th scope="col">Status</th><th scope="col">Reported</th></tr></thead>
          <tbody>
            {shown.map((v) => (
              <tr key={`${v.component}|${v.componentInstance}|${v.evseId}|${v.connectorId}|${v.variable}|${v.variableInstance}|${v.attributeType}`}>
                <td>{name(v.component, v.componentInstance)}</td><td>{where(v)}</td><td>{name(v.variable, v.variableInstance)}</td><td>{v.attributeType}</td>
                <td className="value-cell">{v.value ?? '—'}</td><td>{v.mutability ?? '—'}</td><td>{v.status ?? '—'}</td><td>{fmtTime(v.reportedAt)}</td>
              </tr>
            ))}
            {!shown.length && <tr><td colSpan={8} className="muted">Nothing reported yet: use “Read configuration” or “Read device model”.</td></tr>}
          </tbody>
        </table>
      </div>
    </section>
  );
}
