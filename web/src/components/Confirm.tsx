import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A modal question (native <dialog>: focus trapped, Escape cancels) for actions that switch
 * something or cannot be undone. Render it while a question is open; it opens itself.
 */
export function Confirm({ title, children, confirm, danger = false, onConfirm, onCancel }: {
  title: string; children?: ReactNode; confirm: string; danger?: boolean; onConfirm(): void; onCancel(): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={ref} aria-labelledby="confirm-h" onCancel={(e) => { e.preventDefault(); onCancel(); }}>
      <h2 id="confirm-h">{title}</h2>
      {children}
      <div className="actions">
        <button type="button" onClick={onCancel} autoFocus>Cancel</button>
        <button type="button" className={danger ? 'danger' : 'primary'} onClick={onConfirm}>{confirm}</button>
      </div>
    </dialog>
  );
}
