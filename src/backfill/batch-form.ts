import type { BatchForm } from '../state/index.js';

/**
 * The share of a batch's target duration that three round trips may cost
 * before a batch runs as one statement. As one statement, PostgreSQL keeps a
 * row for each row the UPDATE changed (the CTE's RETURNING, which the
 * checkpoint counts): about 6% more work per batch (measured on 30,000-row
 * UPDATEs of a 1,000,000-row table with and without RETURNING). As a
 * transaction it costs three more round trips, and holds the batch's row
 * locks across two of them.
 */
const ROUND_TRIP_SHARE = 0.05;

/**
 * How batches commit with their checkpoints, from the session's round trip:
 * as a transaction next to the server (same host, same zone), where three
 * round trips cost less than the CTE; as one statement from farther away,
 * where they would cost more and keep rows locked across the network.
 */
export function batchForm(roundTripMs: number, targetBatchMs: number): BatchForm {
  return 3 * roundTripMs > ROUND_TRIP_SHARE * targetBatchMs ? 'oneStatement' : 'transaction';
}
