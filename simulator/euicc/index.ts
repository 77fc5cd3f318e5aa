/** The simulated eUICC: a `SimCard` with profiles, notifications and an ES10 APDU server. */
export { Euicc, EuiccError, createEuicc, channelOfCla } from './euicc.js';
export type { EuiccOptions, EuiccProfileSeed, InstalledProfileData } from './euicc.js';
export { FileEuiccStore, MemoryEuiccStore, EuiccStateError } from './euicc-state.js';
export type { EuiccStore, EuiccState, EuiccProfile, EuiccNotification } from './euicc-state.js';
export { defaultQuirks, mockSignature } from './es10-handlers.js';
export type { EuiccQuirks } from './es10-handlers.js';
