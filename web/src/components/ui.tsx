import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../api/client';

/** What went wrong, in the API's words, announced to screen readers. */
export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const text = error instanceof ApiError ? `${error.message} (${error.code})` : error instanceof Error ? error.message : String(error);
  return <p className="error" role="alert">{text}</p>;
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return <p className="muted" role="status">{what}…</p>;
}

/** A form whose submit runs `action`, shows its error and blocks double submits. */
export function ActionForm({ action, children, submit, className }: { action: () => Promise<void>; children: ReactNode; submit: string; className?: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(undefined);
    action().catch(setError).finally(() => setBusy(false));
  };
  return (
    <form className={className ?? 'form'} onSubmit={onSubmit}>
      {children}
      <ErrorBox error={error} />
      <button type="submit" className="primary" disabled={busy}>{submit}</button>
    </form>
  );
}

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return <label className="field"><span>{label}</span>{children}</label>;
}

/** A coloured status word; the class comes from the status (unknown ones stay neutral). */
export function Badge({ value }: { value: string }) {
  return <span className={`badge badge-${value.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`}>{value}</span>;
}

export const fmtTime = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString() : '—');
export const fmtKwh = (wh: number | null | undefined): string =>
  (wh === null || wh === undefined ? '—' : Math.abs(wh) < 1000 ? `${Math.round(wh)} Wh` : `${(wh / 1000).toFixed(2)} kWh`);
export const fmtKw = (w: number | null | undefined): string => (w === null || w === undefined ? '—' : `${(w / 1000).toFixed(1)} kW`);
