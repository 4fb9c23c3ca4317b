/** Test helpers of app/common: the one manual test clock. Tests, simulations and e2e only. */
export { ManualClock, settle } from './manual-clock';
