/** Previous / next over an API list of `limit` items from `offset`. */
export function Pager({ offset, limit, total, count, onChange }: { offset: number; limit: number; total?: number; count: number; onChange(offset: number): void }) {
  const last = total !== undefined ? offset + count >= total : count < limit;
  if (offset === 0 && last) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>Previous</button>
      <span>{offset + 1}–{offset + count}{total !== undefined && ` of ${total}`}</span>
      <button type="button" disabled={last} onClick={() => onChange(offset + limit)}>Next</button>
    </nav>
  );
}
