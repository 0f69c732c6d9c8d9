/**
 * Rejection reason codes (seed 001 "Rejection Reason Codes"), with the stage
 * that assigns them.
 */
export const REJECT_CODES = {
  PARSE_ERROR: 'INGEST',
  INVALID_DATE: 'INGEST',
  NOT_FRIDAY: 'INGEST',
  INVALID_TIER: 'INGEST',
  NEGATIVE_VOLUME: 'NORMALIZE',
  NEGATIVE_TRADES: 'NORMALIZE',
  ZERO_VOLUME: 'NORMALIZE',
  INVALID_SYMBOL: 'NORMALIZE',
  INVALID_MPID: 'NORMALIZE',
  DUPLICATE_KEY: 'NORMALIZE',
} as const;

/** One of the seed's reason codes. */
export type RejectCode = keyof typeof REJECT_CODES;

/** The pipeline stage a reject was decided in. */
export type RejectStage = (typeof REJECT_CODES)[RejectCode];
