/** Ordering stage: per-(destination, key) sequencing for drop-stale and strict delivery. */
export { KeySequencer, type SequencedEvent, type SequencerSettings, type SequencerStatus } from "./sequencer";
export { compareOrder, isStale, nextRelease, type OrderPoint, type QueuedEvent } from "./policy";
