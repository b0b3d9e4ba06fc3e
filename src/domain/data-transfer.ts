/** A vendor-specific DataTransfer handler; both OCPP versions route here by vendorId. */
export type VendorHandler = (messageId: string | undefined, data: unknown, stationId: string) =>
  Promise<{ status: 'Accepted' | 'Rejected' | 'UnknownMessageId'; data?: unknown }>;

/** Vendor handlers registered as data: vendorId → handler. Unknown vendors get UnknownVendorId. */
export class DataTransferRegistry {
  private readonly vendors = new Map<string, VendorHandler>();

  register(vendorId: string, handler: VendorHandler): void {
    this.vendors.set(vendorId, handler);
  }

  async handle(stationId: string, vendorId: string, messageId: string | undefined, data: unknown): Promise<{ status: string; data?: unknown }> {
    const handler = this.vendors.get(vendorId);
    if (!handler) return { status: 'UnknownVendorId' };
    return handler(messageId, data, stationId);
  }
}
