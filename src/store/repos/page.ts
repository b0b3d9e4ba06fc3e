/** Offset pagination for list queries. */
export interface Page {
  limit: number;
  offset?: number;
}
