import type { AgentResultStatus, OutputFrame, ResultFrame } from '@fleetplane/contracts';

/** A RESULT as it goes on the wire. */
export type ResultBody = Omit<ResultFrame, 'v' | 'id' | 'ts'>;
/** A RESULT as the agent keeps it (journal): with every status it can reach, mapped for the session when sent. */
export type AgentResultBody = Omit<ResultBody, 'status'> & { status: AgentResultStatus };
export type OutputBody = Omit<OutputFrame, 'v' | 'id' | 'ts'>;

/** What the hub said it uses on the current session (HELLO_ACK `features`). */
export interface SessionFeatures {
  /** The hub sends CANCEL (and knows CANCELLED / REJECTED). */
  cancel: boolean;
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
