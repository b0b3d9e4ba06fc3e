/** Why a CALL we sent did not produce a valid result. */
export type CallFailureReason =
  | 'Offline' // no connection to the station (or it closed while the call was pending)
  | 'Timeout' // no answer within the call timeout
  | 'CallError' // the station answered with a CALLERROR
  | 'InvalidRequest' // our own payload failed the schema: nothing was sent
  | 'InvalidResponse' // the station's CALLRESULT failed the schema
  | 'NotSupported' // the action does not exist in, or is not sendable on, the station's protocol
  | 'QueueFull' // too many commands waiting for this station
  | 'Rejected'; // the station answered, with a status other than Accepted

export class CallFailed extends Error {
  /** the station's answer, when reason is Rejected */
  response?: Record<string, unknown>;

  constructor(
    readonly reason: CallFailureReason,
    message: string,
    /** the CALLERROR the station sent, when reason is CallError */
    readonly callError?: { code: string; description: string; details: Record<string, unknown> },
  ) {
    super(message);
    this.name = 'CallFailed';
  }
}
