/** Progress of an active transaction that changes with every 2.0.1 TransactionEvent. */
export interface TransactionProgress {
  id: number;
  lastSeqNo: number | null;
  seqGaps: number;
  chargingState: string | null;
}

/**
 * Writes transaction progress coalesced across stations (one statement per flush), so the
 * 2.0.1 meter-value path costs no extra round trip per event. `add` resolves once durable.
 */
export interface TransactionProgressWriter {
  add(p: TransactionProgress): Promise<void>;
  flush(): Promise<void>;
}
