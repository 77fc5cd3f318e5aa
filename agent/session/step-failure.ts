import type { Failure } from './machine.js';

/** A step's failure with its classification, thrown by a step and turned into a `step-failed` event. */
export class StepFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.reason);
  }
}
