import type { OutputFrame, ResultFrame } from '@fleetplane/contracts';

export type ResultBody = Omit<ResultFrame, 'v' | 'id' | 'ts'>;
export type OutputBody = Omit<OutputFrame, 'v' | 'id' | 'ts'>;

/** What the hub said it uses on the current session (HELLO_ACK `features`). */
export interface SessionFeatures {
  /** Stream OUTPUT; the final RESULT keeps only a tail. */
  output: boolean;
  /** Keep a final RESULT until RESULT_ACK, re-sending it after each reconnect. */
  resultAck: boolean;
}

/** The executor's view of the hub connection. */
export interface SessionLink {
  /** Sends now; false when there is no established session (nothing is queued: the journal re-sends final results). */
  send(body: ResultBody | OutputBody): boolean;
  features(): SessionFeatures;
}
